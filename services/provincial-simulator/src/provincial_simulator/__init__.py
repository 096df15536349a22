"""The provincial title office's system as a small stand-in (POL-FI-1's other side): it receives the
city's filings, lets a provincial reviewer approve or return each application, and calls the city back
with signed Standard Webhooks. Never run in production."""
