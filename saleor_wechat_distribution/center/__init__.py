"""The distributor center: mobile pages for WeChat's browser (WeUI), built into ``static/`` (sources in
``ui/center``, ``./dev ui-build``). Saleor-free: hosts mount :func:`.http.dispatch`."""
