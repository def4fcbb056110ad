/* The card step of a pay page (support/pay_card.html): Stripe.js confirms a SetupIntent with the card typed in its
 * widget, our server charges (or subscribes), and if the bank wants 3-D Secure Stripe.js confirms that payment.
 * The same steps replace the card of a monthly gift (support/manage_card.html): there the server answers the
 * confirmed SetupIntent by making it the subscription's card, and every request carries the page's form token.
 * Everything the script needs comes from data- attributes: no inline script, nothing but our origin and Stripe's. */
(function () {
  "use strict";

  var root = document.querySelector("[data-card-checkout]");
  if (!root) {
    return;
  }
  var form = root.querySelector("[data-card-form]");
  var button = root.querySelector("[data-card-submit]");
  var message = root.querySelector("[data-card-message]");
  var fallback = root.querySelector("[data-card-fallback]");
  var data = root.dataset;

  function say(text) {
    message.textContent = text || "";
  }

  if (typeof window.Stripe !== "function") {
    say(data.messageUnavailable);
    fallback.hidden = false;
    return;
  }

  var stripe = window.Stripe(data.publishableKey);
  var card = stripe.elements().create("card");
  card.mount(root.querySelector("[data-card-element]"));
  form.hidden = false;

  function post(url, fields) {
    var body = new URLSearchParams(fields || {});
    if (data.formToken) {
      body.append("form_token", data.formToken);
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (response) {
      return response.json().catch(function () {
        return { status: "error" };
      });
    });
  }

  function failed(text) {
    say(text || data.messageError);
    fallback.hidden = false;
    button.disabled = false;
  }

  async function pay() {
    button.disabled = true;
    say(data.messageWorking);
    var prepared = await post(data.prepareUrl);
    if (!prepared.client_secret) {
      return failed(prepared.message);
    }
    var setup = await stripe.confirmCardSetup(prepared.client_secret, { payment_method: { card: card } });
    if (setup.error) {
      return failed(setup.error.message);
    }
    var charged = await post(data.chargeUrl, { setup_intent: setup.setupIntent.id });
    if (charged.status === "requires_action") {
      say(data.messageAuthenticate);
      var authenticated = await stripe.confirmCardPayment(charged.client_secret);
      if (authenticated.error) {
        return failed(authenticated.error.message);
      }
      charged = await post(data.chargeUrl, { payment_intent: authenticated.paymentIntent.id });
    }
    if (charged.status === "succeeded" || charged.status === "pending") {
      window.location.assign(data.doneUrl); // the pay page shows thanks once the ledger has the payment
      return;
    }
    failed(charged.message);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pay().catch(function () {
      failed(data.messageError);
    });
  });
})();
