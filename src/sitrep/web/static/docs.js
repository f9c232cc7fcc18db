// OpenAPI docs from the vendored swagger-ui (no CDN).
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
