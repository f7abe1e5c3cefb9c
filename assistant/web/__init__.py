"""What people meet over HTTP: the JSON API, the Gradio chat, error pages and the security middleware; `assistant.server` assembles them."""
