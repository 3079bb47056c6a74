"""Sends OTLP/HTTP log requests built with the official opentelemetry-proto classes to a gateway.

Usage: python export_logs.py <gateway url>

Prints one JSON object per request: the HTTP status, the content type, and the decoded answer.
"""

import json
import sys
import urllib.error
import urllib.request

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue, KeyValueList
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs, SeverityNumber
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

TIME_NS = 1_790_000_000_123_456_789
TRACE_ID = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
SPAN_ID = bytes.fromhex("b7ad6b7169203331")


def text(value: str) -> AnyValue:
    return AnyValue(string_value=value)


def build_request() -> ExportLogsServiceRequest:
    resource = Resource(
        attributes=[
            KeyValue(key="service.name", value=text("py-worker")),
            KeyValue(key="logs_sse.workspace_id", value=text("lab")),
            KeyValue(key="host.name", value=text("box-1")),
        ]
    )
    records = [
        LogRecord(
            time_unix_nano=TIME_NS,
            severity_number=SeverityNumber.SEVERITY_NUMBER_ERROR,
            severity_text="ERROR",
            body=text("job failed"),
            trace_id=TRACE_ID,
            span_id=SPAN_ID,
            flags=1,
            attributes=[
                KeyValue(key="logs_sse.resource_id", value=text("job-9")),
                KeyValue(key="attempt", value=AnyValue(int_value=3)),
            ],
        ),
        LogRecord(
            observed_time_unix_nano=TIME_NS,
            severity_number=SeverityNumber.SEVERITY_NUMBER_TRACE2,
            body=AnyValue(
                kvlist_value=KeyValueList(values=[KeyValue(key="rows", value=AnyValue(int_value=120))])
            ),
            attributes=[KeyValue(key="logs_sse.resource_id", value=text("job-9"))],
        ),
        # A resource id that is not a channel segment: rejected on its own, counted in partial_success.
        LogRecord(
            time_unix_nano=TIME_NS,
            body=text("bad"),
            attributes=[KeyValue(key="logs_sse.resource_id", value=text("not a segment"))],
        ),
    ]
    return ExportLogsServiceRequest(
        resource_logs=[
            ResourceLogs(
                resource=resource,
                scope_logs=[ScopeLogs(scope=InstrumentationScope(name="worker.jobs"), log_records=records)],
            )
        ]
    )


def post(url: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(
        url + "/v1/logs", data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, headers, data = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        status, headers, data = error.code, error.headers, error.read()
    result = {"status": status, "content_type": headers.get("Content-Type")}
    if status == 200 and content_type == "application/x-protobuf":
        response = ExportLogsServiceResponse()
        response.ParseFromString(data)
        result["response"] = MessageToDict(response)
    else:
        result["body"] = data.decode("utf-8", "replace")
    return result


def main() -> None:
    url = sys.argv[1]
    request = build_request()
    print(json.dumps(post(url, request.SerializeToString(), "application/x-protobuf")))
    # The same classes cannot write OTLP JSON (their JSON has base64 ids), so only binary is sent twice:
    # once whole and once cut short, which must be refused with 400.
    print(json.dumps(post(url, request.SerializeToString()[:-7], "application/x-protobuf")))


if __name__ == "__main__":
    main()
