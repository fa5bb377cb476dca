#!/usr/bin/env python3
"""Real GeoReport v2 clients from PyPI against a running CityLine's /open311/v2.

    python3 georeport_test.py BASE_URL OPEN311_API_KEY

`georeport` (GeoReport) reads: the service list and a definition in JSON and XML, a request by id and by
`service_request_id`. It has no way to file a request, so `civicbot`'s Open311Client files one: it reads the
service list and definition to check its form against them, then POSTs it form-encoded with the api_key. A wrong
api_key is refused with the spec's error list. Prints FILED <id> for the caller to look up in the store.
"""
import sys

from civicbot import Endpoint, HttpError, Open311Client
from georeport import GeoReport

base, api_key = sys.argv[1], sys.argv[2]
root = f"{base}/open311/v2"


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", flush=True)
        sys.exit(1)
    print(f"ok: {message}", flush=True)


reader = GeoReport(root)
services = reader.get_service_list()
codes = [service["service_code"] for service in services]
check("pothole" in codes and all(isinstance(code, str) for code in codes), f"georeport lists {len(codes)} services, pothole among them")
pothole = next(service for service in services if service["service_code"] == "pothole")
check(pothole["service_name"] == "Pothole" and pothole["metadata"] is True, "pothole is named and has metadata")

definition = reader.get_service_definition("pothole")
size = next(attribute for attribute in definition["attributes"] if attribute["code"] == "size")
check(size["datatype"] == "singlevaluelist" and "large" in [value["key"] for value in size["values"]],
      "georeport reads pothole's definition: size, a single-value list with 'large'")

xml = GeoReport(root, output_format="xml")
check("pothole" in [service["service_code"] for service in xml.get_service_list()], "the XML service list parses the same")
check(xml.get_service_definition("pothole")["service_code"] == "pothole", "the XML definition parses")

writer = Open311Client(Endpoint(id="cityline", name="CityLine under test", base_url=root, write=True))
prepared = writer.create_request(
    "pothole", dry_run=False, confirm="SEND", api_key=api_key, validate_remote=True,
    lat=39.7817, lng=-89.6501, description="Deep pothole in the bike lane, filed by civicbot",
    attributes={"size": "large"}, email="maria@example.org", first_name="Maria",
)
filed = prepared.response
check(isinstance(filed, list) and len(filed) == 1 and isinstance(filed[0]["service_request_id"], str),
      f"civicbot files a request with the api_key: {filed}")
request_id = filed[0]["service_request_id"]

request = reader.get_service_request(request_id)
check(request["service_request_id"] == request_id and request["service_code"] == "pothole" and request["status"] == "open",
      "georeport reads it back by id: an open pothole")
check(request["description"] == "Deep pothole in the bike lane, filed by civicbot", "with its description")
check(abs(request["lat"] - 39.7817) < 1e-6 and abs(request["long"] + 89.6501) < 1e-6, "at its point")
listed = reader.get_service_requests(service_request_id=request_id)
check([item["service_request_id"] for item in listed] == [request_id], "and in the list by service_request_id")
check(xml.get_service_request(request_id)["service_request_id"] == request_id, "and as XML")
check(writer.get_token(request_id)[0]["service_request_id"] == request_id, "civicbot reads its token")

try:
    writer.create_request("pothole", dry_run=False, confirm="SEND", api_key="not-a-key", lat=39.7817, lng=-89.6501,
                          description="never stored")
    check(False, "a wrong api_key is refused")
except HttpError as error:
    import json
    errors = json.loads(error.body)
    check(error.status == 403 and errors[0]["code"] == 403 and errors[0]["description"], "a wrong api_key: 403 and the error list")

print(f"FILED {request_id}", flush=True)
