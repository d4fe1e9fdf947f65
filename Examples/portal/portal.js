// The Cheshire Care Record reference patient portal: plain JavaScript, no build step, no third-party code.
//
// Security choices (see README, "The patient portal"):
// - The API's address comes only from this portal's own config.json, never from the page's address, so a crafted link
//   cannot make the page send a token anywhere else.
// - The access token and every piece of clinical data live in this page's memory only (never localStorage,
//   sessionStorage, cookies or IndexedDB). Only the PKCE verifier and state of a SMART sign-in in progress are kept in
//   sessionStorage, for the redirect, and removed as soon as the sign-in comes back.
// - Values from the API are put into the page as text (textContent), never as HTML.
"use strict";

(() => {
  const NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number";
  const ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code";
  const SOURCE_ORGANISATION = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-organisation";
  const SOURCE_REFRESHED = "https://cheshire-care-record.nhs.uk/fhir/StructureDefinition/source-last-refreshed";
  const PKCE_KEY = "care-record-portal.sign-in";
  const PAGE_SIZE = 200;
  const AUDIT_PAGE_SIZE = 100;

  // Read a development token from the address at once, and take it out of the address bar and history before anything
  // else runs, so it is not left behind whatever happens next.
  const fragmentToken = (() => {
    if (!location.hash) return null;
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get("access_token");
    history.replaceState(null, "", location.pathname + location.search);
    return token;
  })();

  const session = { config: null, api: null, smart: null, token: null, nhs: null };
  const $ = (id) => document.getElementById(id);
  const main = $("main");

  // ---------- building the page safely ----------

  /** An element with attributes and children; strings become text nodes, so data is never parsed as HTML. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function setStatus(text, busy) {
    $("status").textContent = text || "";
    main.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  // ---------- dates and words ----------

  const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/London" });
  const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });
  const monthFormat = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

  /** A FHIR date or dateTime in words, to the precision it has. */
  function when(value) {
    if (typeof value !== "string" || value === "") return null;
    if (/^\d{4}$/.test(value)) return value;
    if (/^\d{4}-\d{2}$/.test(value)) return monthFormat.format(new Date(value + "-01T00:00:00Z"));
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return dateFormat.format(new Date(value + "T00:00:00Z"));
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? value : dateTimeFormat.format(date);
  }

  function conceptText(concept) {
    if (!concept) return null;
    if (concept.text) return concept.text;
    const coding = (concept.coding || []).find((c) => c.display) || (concept.coding || [])[0];
    return coding ? coding.display || coding.code : null;
  }

  function code(concept) {
    const coding = ((concept && concept.coding) || [])[0];
    return coding ? coding.code : null;
  }

  const roles = {
    doctor: "Doctor", nurse: "Nurse", "social-worker": "Social worker", pharmacist: "Pharmacist",
    "allied-health-professional": "Allied health professional", admin: "Administrator", "privacy-officer": "Privacy officer",
    patient: "Patient",
  };

  const things = {
    Patient: "your details", AllergyIntolerance: "your allergies", Condition: "your health conditions",
    MedicationStatement: "your medicines", Consent: "your sharing choices", AuditEvent: "who has looked at your record",
  };

  // ---------- talking to the API ----------

  class APIError extends Error {
    constructor(status, code, text) {
      super(text || "HTTP " + status);
      this.status = status;
      this.code = code;
      this.text = text;
    }
  }

  /** GET on the API (its base URL from config.json only) with the token in memory; FHIR JSON, or an APIError. */
  async function apiGet(path) {
    let response;
    try {
      response = await fetch(session.api + path, {
        headers: { Authorization: "Bearer " + session.token, Accept: "application/fhir+json" },
        cache: "no-store", credentials: "omit", redirect: "error", referrerPolicy: "no-referrer",
      });
    } catch (error) {
      throw new APIError(0, "NETWORK", "We could not reach the Cheshire Care Record. Please check your connection and try again.");
    }
    let body = null;
    try { body = await response.json(); } catch (error) { body = null; }
    if (!response.ok) {
      const issue = body && body.resourceType === "OperationOutcome" ? (body.issue || [])[0] : null;
      const details = issue && issue.details;
      const errorCode = details && (details.coding || []).map((c) => c.code)[0];
      throw new APIError(response.status, errorCode || null, details && details.text);
    }
    return body;
  }

  /** Every entry of a search, page by page (offsets built here: links in the answer are never followed with the token). */
  async function searchAll(type, extra) {
    if (type === "Consent") {
      // The patient's decisions come in one unpaged searchset.
      const bundle = await apiGet("/Consent?patient=" + encodeURIComponent(session.nhs));
      return (bundle.entry || []).filter((e) => e.resource && e.resource.resourceType === type);
    }
    const entries = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const bundle = await apiGet("/" + type + "?patient=" + encodeURIComponent(session.nhs) + (extra || "")
        + "&_count=" + PAGE_SIZE + "&_offset=" + offset);
      const page = (bundle.entry || []).filter((e) => e.resource && e.resource.resourceType === type);
      entries.push(...page);
      if (page.length === 0 || entries.length >= (bundle.total || 0)) return entries;
    }
  }

  // ---------- signing in ----------

  function base64url(bytes) {
    let text = "";
    for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(length) {
    return base64url(crypto.getRandomValues(new Uint8Array(length)));
  }

  function redirectURI() {
    return session.config.redirectURI || location.origin + location.pathname;
  }

  /** SMART App Launch (standalone, public client): authorization code with PKCE S256. */
  async function startSMARTSignIn() {
    const smart = session.smart;
    const verifier = randomString(32);
    const state = randomString(16);
    const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
    const query = new URLSearchParams({
      response_type: "code", client_id: session.config.clientId, redirect_uri: redirectURI(),
      scope: session.config.scope || "openid fhirUser launch/patient patient/*.rs", state, aud: session.api,
      code_challenge: challenge, code_challenge_method: "S256",
    });
    const endpoint = new URL(smart.authorization_endpoint);
    for (const [name, value] of query) endpoint.searchParams.set(name, value);
    location.assign(endpoint.toString());
  }

  /** Back from the authorization server: checks the state, trades the code and the verifier for a token. */
  async function finishSMARTSignIn(params) {
    const saved = sessionStorage.getItem(PKCE_KEY);
    sessionStorage.removeItem(PKCE_KEY);
    history.replaceState(null, "", location.pathname);
    if (params.get("error")) throw new Error("Signing in did not finish (" + params.get("error") + "). Please try again.");
    const pending = saved ? JSON.parse(saved) : null;
    if (!pending || !pending.state || pending.state !== params.get("state")) {
      throw new Error("This sign-in did not start here, so it was not used. Please sign in again.");
    }
    if (!session.smart) throw new Error("Signing in is not available at the moment. Please try again later.");
    let response;
    try {
      response = await fetch(session.smart.token_endpoint, {
        method: "POST", cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({
          grant_type: "authorization_code", code: params.get("code") || "", redirect_uri: redirectURI(),
          client_id: session.config.clientId, code_verifier: pending.verifier,
        }),
      });
    } catch (error) {
      throw new Error("We could not reach the sign-in service. Please try again.");
    }
    const body = await response.json().catch(() => null);
    if (!response.ok || !body || typeof body.access_token !== "string") {
      throw new Error("Signing in did not work. Please try again.");
    }
    return { token: body.access_token, patient: typeof body.patient === "string" ? body.patient : null };
  }

  /** The NHS number the token is for: the SMART launch context, else the token's own `nhs_number` claim. */
  function patientOf(token, launchPatient) {
    if (launchPatient && /^\d{10}$/.test(launchPatient)) return launchPatient;
    try {
      const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      if (typeof payload.nhs_number === "string" && /^\d{10}$/.test(payload.nhs_number)) return payload.nhs_number;
    } catch (error) { /* not a JWT we can read: said below */ }
    return null;
  }

  function showSignIn(message) {
    session.token = null;
    session.nhs = null;
    clearRecord();
    show("record", false);
    show("sign-in", true);
    const canSMART = Boolean(session.smart && session.config && session.config.clientId);
    show("smart-sign-in", canSMART);
    show("token-form", Boolean(session.config && session.config.developmentSignIn));
    show("no-sign-in", !canSMART && !(session.config && session.config.developmentSignIn));
    main.dataset.state = "signed-out";
    setStatus(message || "", false);
  }

  async function signIn(token, launchPatient) {
    const nhs = patientOf(token, launchPatient);
    if (!nhs) {
      showSignIn("That sign-in does not say whose record to show. Please sign in again.");
      return;
    }
    session.token = token;
    session.nhs = nhs;
    show("sign-in", false);
    await loadRecord();
  }

  // ---------- the record ----------

  function clearRecord() {
    for (const id of ["allergies", "conditions", "medications", "who-looked"]) {
      $(id).querySelector(".list-body").replaceChildren();
      show(id, false);
    }
    $("sharing-body").replaceChildren();
    $("opted-out-message").textContent = "";
    $("record-intro").textContent = "";
    show("sharing", false);
    show("opted-out", false);
  }

  function sourceLine(entry) {
    const extensions = entry.extension || [];
    const organisation = extensions.find((x) => x.url === SOURCE_ORGANISATION);
    const refreshed = extensions.find((x) => x.url === SOURCE_REFRESHED);
    const reference = organisation && organisation.valueReference;
    const ods = reference && reference.identifier && reference.identifier.system === ODS_SYSTEM ? reference.identifier.value : null;
    const name = reference && reference.display;
    const from = name ? name + (ods ? " (" + ods + ")" : "") : ods ? "organisation " + ods : "an organisation in the region";
    const refreshedAt = refreshed ? when(refreshed.valueInstant) : null;
    return el("p", { class: "source" },
      "From ", el("strong", null, from),
      refreshedAt ? ". Their records were last copied into your shared record on " + refreshedAt + "." : ".");
  }

  function item(title, facts, entry) {
    const list = el("dl", { class: "facts" });
    for (const [term, value] of facts) {
      if (value) list.append(el("div", null, el("dt", null, term), el("dd", null, value)));
    }
    return el("li", { class: "card" }, el("h3", null, title), list, sourceLine(entry));
  }

  function renderList(id, entries, emptyText, toItem) {
    const body = $(id).querySelector(".list-body");
    body.replaceChildren(entries.length === 0 ? el("p", { class: "empty" }, emptyText) : el("ul", { class: "cards" }, entries.map(toItem)));
    show(id, true);
  }

  function allergyItem(entry) {
    const a = entry.resource;
    const reactions = (a.reaction || []).flatMap((r) => (r.manifestation || []).map(conceptText)).filter(Boolean);
    const severity = (a.reaction || []).map((r) => r.severity).find(Boolean);
    return item(conceptText(a.code) || "An allergy or reaction (no description given)", [
      ["Reaction", reactions.join(", ")],
      ["Severity", severity],
      ["Risk", a.criticality === "high" ? "High: tell anyone treating you" : a.criticality === "low" ? "Low" : null],
      ["Status", conceptText(a.clinicalStatus) || code(a.clinicalStatus)],
      ["Recorded", when(a.recordedDate)],
    ], entry);
  }

  function conditionItem(entry) {
    const c = entry.resource;
    return item(conceptText(c.code) || "A condition (no description given)", [
      ["Status", conceptText(c.clinicalStatus) || code(c.clinicalStatus)],
      ["Since", when(c.onsetDateTime)],
      ["Ended", when(c.abatementDateTime)],
      ["Recorded", when(c.recordedDate)],
    ], entry);
  }

  function medicationItem(entry) {
    const m = entry.resource;
    const dosage = (m.dosage || []).map((d) => d.text).filter(Boolean).join("; ");
    const period = m.effectivePeriod;
    return item(conceptText(m.medicationCodeableConcept) || "A medicine (no description given)", [
      ["How to take it", dosage],
      ["Status", m.status],
      ["Taken", when(m.effectiveDateTime) || (period && [when(period.start), when(period.end)].filter(Boolean).join(" to "))],
    ], entry);
  }

  /** The decision in force: the latest opt-out, block or lasting consent; short consents listed beside it. */
  function renderSharing(consents) {
    const now = Date.now();
    const decisions = consents.map((e) => e.resource).filter((c) => c.status === "active").map((c) => {
      const provision = c.provision || {};
      const action = code((provision.action || [])[0]);
      const kind = provision.type === "deny" && action === "collect" ? "opted-out"
        : provision.type === "deny" && action === "access" ? "blocked"
        : provision.type === "permit" && action === "access" ? (provision.period || provision.actor ? "short" : "consented") : null;
      return { kind, time: Date.parse(c.dateTime || "") || 0, consent: c, provision };
    }).filter((d) => d.kind);
    const lasting = decisions.filter((d) => d.kind !== "short").sort((a, b) => b.time - a.time)[0];
    const body = $("sharing-body");
    const texts = {
      consented: ["You have agreed to share your record.",
        "Health and care professionals who are caring for you can see your shared record."],
      blocked: ["You have asked for your record not to be shared.",
        "Professionals cannot see your shared record, not even in an emergency."],
      "opted-out": ["You have chosen not to have a shared record.", ""],
      none: ["You have not made a choice yet.",
        "Professionals caring for you must ask your permission before they look at your shared record. "
        + "In an emergency, a doctor or nurse may look without asking; they must give a reason, and you will see it below."],
    };
    const [headline, explanation] = texts[lasting ? lasting.kind : "none"];
    const parts = [el("p", { class: "choice", "data-choice": lasting ? lasting.kind : "none" }, el("strong", null, headline))];
    if (explanation) parts.push(el("p", null, explanation));
    if (lasting && lasting.time) parts.push(el("p", { class: "hint" }, "Recorded on " + when(lasting.consent.dateTime) + "."));
    const short = decisions.filter((d) => d.kind === "short" && d.provision.period && Date.parse(d.provision.period.end) > now);
    for (const d of short) {
      const who = (d.consent.performer || []).map((p) => p.display).find(Boolean) || "a professional";
      parts.push(el("p", null, "You let " + who + " see your record until " + when(d.provision.period.end) + "."));
    }
    body.replaceChildren(...parts);
    show("sharing", true);
  }

  function whatWasAsked(event) {
    const request = (event.entity || []).find((e) => e.type && e.type.code === "XrequestId");
    const match = request && /^[A-Z]+ \/([A-Za-z]+)(\/[^?\s]*)?/.exec(request.description || "");
    const type = match ? match[1] : null;
    if (match && match[2] && match[2].endsWith("$everything")) return "your whole record";
    return (type && things[type]) || "your record";
  }

  function accessRow(event) {
    const agents = event.agent || [];
    const person = agents.find((a) => a.requestor) || {};
    const organisation = agents.find((a) => !a.requestor && a.who && a.who.identifier && a.who.identifier.system === ODS_SYSTEM);
    const orgText = organisation ? (organisation.who.display ? organisation.who.display + " (" + organisation.who.identifier.value + ")"
      : organisation.who.identifier.value) : "Unknown";
    const role = code((person.role || [])[0]);
    const emergency = (event.subtype || []).some((s) => s.code === "emergency-override");
    const details = ((event.entity || []).find((e) => e.type && e.type.code === "XrequestId") || {}).detail || [];
    const reason = (details.find((d) => d.type === "emergency-reason") || {}).valueString;
    const outcome = event.outcome === "0" ? "Seen" : "Not shown: they were not allowed";
    const notes = [];
    if (emergency) notes.push(el("strong", { class: "emergency" }, "Emergency access"), reason ? ". Reason given: " + reason : ". No reason was given.");
    return el("tr", emergency ? { class: "emergency-row" } : null,
      el("td", null, when(event.recorded) || ""),
      el("td", null, person.name || "Someone"),
      el("td", null, (role && roles[role]) || role || ""),
      el("td", null, orgText),
      el("td", null, whatWasAsked(event)),
      el("td", null, outcome, notes.length ? el("br") : null, notes));
  }

  function renderAccesses(bundle) {
    const events = (bundle.entry || []).map((e) => e.resource).filter((r) => r && r.resourceType === "AuditEvent");
    const others = events.filter((e) => !(e.agent || []).some((a) => a.requestor && code((a.role || [])[0]) === "patient"));
    const yours = events.length - others.length;
    const body = $("who-looked").querySelector(".list-body");
    const parts = [];
    if (others.length === 0) {
      parts.push(el("p", { class: "empty" }, "Nobody else has looked at your record recently."));
    } else {
      const head = el("thead", null, el("tr", null, ["When", "Who", "Role", "Organisation", "What", "Outcome"].map((h) => el("th", { scope: "col" }, h))));
      parts.push(el("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "who-looked-title" },
        el("table", { class: "accesses" }, el("caption", { class: "visually-hidden" }, "Accesses to your record, newest first"),
          head, el("tbody", null, others.map(accessRow)))));
    }
    if (yours > 0) parts.push(el("p", { class: "hint" }, "Not listed: " + yours + " time" + (yours === 1 ? "" : "s") + " you looked yourself."));
    if ((bundle.total || 0) > events.length) {
      parts.push(el("p", { class: "hint" }, "Showing the most recent " + events.length + " of " + bundle.total + " entries."));
    }
    body.replaceChildren(...parts);
    show("who-looked", true);
  }

  async function loadRecord() {
    clearRecord();
    show("record", true);
    main.dataset.state = "loading";
    setStatus("Loading your record…", true);
    try {
      // Who looked is the patient's to see even when they have opted out.
      const audit = apiGet("/AuditEvent?patient=" + encodeURIComponent(session.nhs) + "&_count=" + AUDIT_PAGE_SIZE);
      let patient = null;
      try {
        patient = await apiGet("/Patient/" + encodeURIComponent(session.nhs));
      } catch (error) {
        if (!(error instanceof APIError) || error.code !== "PATIENT_OPTED_OUT") throw error;
        $("opted-out-message").textContent = error.text || "The patient has declined to have an electronic shared record.";
        show("opted-out", true);
        $("record-intro").textContent = "NHS number " + session.nhs;
        renderAccesses(await audit);
        main.dataset.state = "opted-out";
        setStatus("", false);
        $("opted-out-title").focus();
        return;
      }
      const name = (patient.name || [])[0];
      const display = name ? (name.text || [(name.given || []).join(" "), name.family].filter(Boolean).join(" ")) : "";
      $("record-title").textContent = display ? "Your record, " + display : "Your record";
      $("record-intro").textContent = "NHS number " + session.nhs + ". This is what the health and care services in Cheshire share about you.";
      const [allergies, conditions, medications, consents] = await Promise.all([
        searchAll("AllergyIntolerance"), searchAll("Condition"), searchAll("MedicationStatement"), searchAll("Consent"),
      ]);
      renderSharing(consents);
      renderList("allergies", allergies, "No allergies or reactions are recorded.", allergyItem);
      renderList("conditions", conditions, "No health conditions are recorded.", conditionItem);
      renderList("medications", medications, "No medicines are recorded.", medicationItem);
      renderAccesses(await audit);
      main.dataset.state = "ready";
      setStatus("", false);
    } catch (error) {
      if (error instanceof APIError && error.status === 401) {
        showSignIn("You have been signed out. Please sign in again.");
      } else {
        main.dataset.state = "error";
        setStatus(error instanceof APIError && error.status !== 0
          ? "Sorry, we could not show your record just now" + (error.code ? " (" + error.code + ")" : "") + ". Please try again later."
          : error.message, false);
      }
    }
  }

  // ---------- start ----------

  async function loadConfig() {
    const response = await fetch("config.json", { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error("config.json: HTTP " + response.status);
    const config = await response.json();
    const api = new URL(config.apiBaseURL);
    if (api.protocol !== "https:" && api.protocol !== "http:") throw new Error("config.json: apiBaseURL must be an http(s) URL");
    session.config = config;
    session.api = api.toString().replace(/\/+$/, "");
  }

  async function discoverSMART() {
    try {
      const response = await fetch(session.api + "/.well-known/smart-configuration", { cache: "no-store", credentials: "omit" });
      if (!response.ok) return null;
      const discovery = await response.json();
      const methods = discovery.code_challenge_methods_supported || [];
      const https = (u) => { try { const url = new URL(u); return url.protocol === "https:" || url.hostname === "127.0.0.1" || url.hostname === "localhost"; } catch (e) { return false; } };
      if (!https(discovery.authorization_endpoint) || !https(discovery.token_endpoint) || !methods.includes("S256")) return null;
      return discovery;
    } catch (error) {
      return null;
    }
  }

  async function start() {
    $("smart-button").addEventListener("click", () => {
      startSMARTSignIn().catch((error) => setStatus(error.message, false));
    });
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $("token-input");
      const token = input.value.trim();
      input.value = "";
      if (token) signIn(token, null);
    });
    $("sign-out").addEventListener("click", () => {
      showSignIn("You have signed out.");
      $("sign-in-title").focus();
    });

    try {
      await loadConfig();
    } catch (error) {
      main.dataset.state = "error";
      setStatus("This portal is not set up correctly (its config.json could not be read).", false);
      return;
    }
    session.smart = await discoverSMART();
    const params = new URLSearchParams(location.search);
    if (params.has("code") || params.has("error")) {
      try {
        const result = await finishSMARTSignIn(params);
        await signIn(result.token, result.patient);
      } catch (error) {
        showSignIn(error.message);
      }
      return;
    }
    if (fragmentToken) {
      if (session.config.developmentSignIn) {
        await signIn(fragmentToken, null);
        return;
      }
      showSignIn("Signing in with a token in the address is switched off for this portal.");
      return;
    }
    if (params.get("sign-in") === "smart" && session.smart && session.config.clientId) {
      await startSMARTSignIn();
      return;
    }
    showSignIn();
  }

  start();
})();
