"""The committee session: vote → tally → publicity (NAT-3) → complaints (POL-PB-1) → documents → close."""
