"""A picture of a dashboard's layout (SVG, and PNG where a renderer is installed), for review without Kibana."""
