"""The admin from a real browser."""


def log_in(page, base, username, password="samizdat-demo"):
    """Log in to the admin through its own form, as a person would (the demo's accounts share one password)."""
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
