"""The support app's HTTP edges, one module per flow: asks (goal.json, counters), checkout, remind, manage, and the
Stripe webhook. Each view parses, checks, calls one action and renders."""
