"""Ways of paying, behind one interface (``base.PaymentProvider``) and one registry (``registry``).

Bank transfer and crypto show instructions and wait for staff; card (Stripe) will plug in the same way. Only a
gateway's own module imports its SDK.
"""
