"""The operator dashboard: pages rendered on the server (Jinja2) with a little plain JavaScript, mounted by the
server's app under PREFIX. It is an adapter beside the API: it calls the same use cases of the service layer."""

PREFIX = "/dashboard"
