from __future__ import annotations

from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

from impl.http import METRICS_CONTENT_TYPE, Metrics, render

ClientFactory = Callable[..., httpx.AsyncClient]


def request_counts(metrics: Metrics) -> dict[tuple[str, str, str], float]:
    counts: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(render(metrics.registry).decode()):
        for sample in family.samples:
            if sample.name == "http_requests_total":
                labels = sample.labels
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counts


class TestMetrics:
    async def test_requests_are_counted_by_method_route_template_and_status(
        self, make_client: ClientFactory
    ) -> None:
        metrics = Metrics.create()
        http = make_client(metrics=metrics)
        await http.get("/things/1")
        await http.get("/things/2")
        await http.put("/things/3")
        await http.get("/boom")
        counts = request_counts(metrics)
        assert counts[("GET", "/things/{thing_id}", "200")] == 2
        assert counts[("PUT", "/things/{thing_id}", "200")] == 1
        assert counts[("GET", "/boom", "500")] == 1

    async def test_random_paths_and_methods_do_not_create_series(
        self, make_client: ClientFactory
    ) -> None:
        metrics = Metrics.create()
        http = make_client(metrics=metrics)
        for n in range(5):
            await http.get(f"/random/{n}")
        await http.request("FOOBAR", "/ok")
        counts = request_counts(metrics)
        assert counts[("GET", "<unmatched>", "404")] == 5
        assert counts[("OTHER", "/ok", "405")] == 1
        assert not any(route.startswith("/random") for _, route, _ in counts)

    async def test_latency_histogram_is_recorded(self, make_client: ClientFactory) -> None:
        metrics = Metrics.create()
        await make_client(metrics=metrics).get("/ok")
        text = render(metrics.registry).decode()
        assert (
            'http_request_duration_seconds_count{method="GET",route="/ok",status="200"} 1.0' in text
        )

    def test_each_app_has_its_own_registry(self) -> None:
        first, second = Metrics.create(), Metrics.create()
        first.requests.labels("GET", "/ok", "200").inc()
        assert request_counts(first) == {("GET", "/ok", "200"): 1.0}
        assert request_counts(second) == {}

    def test_content_type_is_prometheus_text(self) -> None:
        assert METRICS_CONTENT_TYPE.startswith("text/plain")


class TestRouteLabels:
    async def test_framework_routes_are_labelled_by_path(self, make_client: ClientFactory) -> None:
        metrics = Metrics.create()
        http = make_client(metrics=metrics)
        assert (await http.get("/openapi.json")).status_code == 200
        assert request_counts(metrics)[("GET", "/openapi.json", "200")] == 1
