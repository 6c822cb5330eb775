"""SOAP/WS-Management envelopes for the loopback server: parse a request, build a response or a fault."""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "wsman": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "wsmv": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "wst": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "wsmanfault": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "pwsh": "http://schemas.microsoft.com/powershell",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
for _prefix, _uri in NS.items():
    if _prefix != "xml":
        ET.register_namespace(_prefix, _uri)

ACTION = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
SHELL_ACTION = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"


class WSManFault(Exception):
    def __init__(self, code: int, reason: str, subcode: str = "w:InternalError") -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.subcode = subcode


@dataclass
class Request:
    action: str
    resource_uri: str
    message_id: str
    shell_id: str | None
    operation_timeout_s: float
    body: ET.Element

    @property
    def verb(self) -> str:
        return self.action.rsplit("/", 1)[-1]


def _duration(text: str | None) -> float:
    match = re.match(r"PT([0-9.]+)S", text or "")
    return float(match.group(1)) if match else 20.0


def parse(data: bytes) -> Request:
    root = ET.fromstring(data)
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise ValueError("not a SOAP envelope")

    def text(path: str) -> str:
        el = header.find(path, NS)
        return (el.text or "") if el is not None else ""

    shell_id = None
    for selector in header.findall("wsman:SelectorSet/wsman:Selector", NS):
        if selector.get("Name") == "ShellId":
            shell_id = selector.text
    return Request(
        action=text("wsa:Action"),
        resource_uri=text("wsman:ResourceURI"),
        message_id=text("wsa:MessageID"),
        shell_id=shell_id,
        operation_timeout_s=_duration(text("wsman:OperationTimeout")),
        body=body,
    )


def envelope(action: str, relates_to: str, *children: ET.Element) -> bytes:
    env = ET.Element(f"{{{NS['s']}}}Envelope")
    header = ET.SubElement(env, f"{{{NS['s']}}}Header")
    ET.SubElement(header, f"{{{NS['wsa']}}}Action").text = action
    ET.SubElement(header, f"{{{NS['wsa']}}}MessageID").text = f"uuid:{str(uuid.uuid4()).upper()}"
    ET.SubElement(header, f"{{{NS['wsa']}}}RelatesTo").text = relates_to
    ET.SubElement(header, f"{{{NS['wsa']}}}To").text = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
    body = ET.SubElement(env, f"{{{NS['s']}}}Body")
    for child in children:
        body.append(child)
    return ET.tostring(env, encoding="utf-8", xml_declaration=False)


def fault(relates_to: str, err: WSManFault, machine: str) -> bytes:
    s, f = NS["s"], NS["wsmanfault"]
    el = ET.Element(f"{{{s}}}Fault")
    code = ET.SubElement(el, f"{{{s}}}Code")
    ET.SubElement(code, f"{{{s}}}Value").text = "s:Receiver"
    sub = ET.SubElement(code, f"{{{s}}}Subcode")
    ET.SubElement(sub, f"{{{s}}}Value").text = err.subcode
    reason = ET.SubElement(el, f"{{{s}}}Reason")
    ET.SubElement(reason, f"{{{s}}}Text", {f"{{{NS['xml']}}}lang": "en-US"}).text = err.reason
    detail = ET.SubElement(el, f"{{{s}}}Detail")
    wsf = ET.SubElement(detail, f"{{{f}}}WSManFault", Code=str(err.code), Machine=machine)
    ET.SubElement(wsf, f"{{{f}}}Message").text = err.reason
    return envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates_to, el)


def created(resource_uri: str, shell_id: str, endpoint: str) -> list[ET.Element]:
    wst, wsa, wsman, rsp = NS["wst"], NS["wsa"], NS["wsman"], NS["rsp"]
    rc = ET.Element(f"{{{wst}}}ResourceCreated")
    ET.SubElement(rc, f"{{{wsa}}}Address").text = endpoint
    params = ET.SubElement(rc, f"{{{wsa}}}ReferenceParameters")
    ET.SubElement(params, f"{{{wsman}}}ResourceURI").text = resource_uri
    selectors = ET.SubElement(params, f"{{{wsman}}}SelectorSet")
    ET.SubElement(selectors, f"{{{wsman}}}Selector", Name="ShellId").text = shell_id
    shell = ET.Element(f"{{{rsp}}}Shell")
    ET.SubElement(shell, f"{{{rsp}}}ShellId").text = shell_id
    ET.SubElement(shell, f"{{{rsp}}}ResourceUri").text = resource_uri
    ET.SubElement(shell, f"{{{rsp}}}Owner").text = "loopback"
    return [rc, shell]


def b64(el: ET.Element | None) -> bytes:
    return base64.b64decode(el.text or "") if el is not None and el.text else b""
