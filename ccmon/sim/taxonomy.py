"""The error classification matrix (reference §6) with plausible texts for generated errors."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AUTO_INTERRUPT", "FATAL", "LLM_MODELS", "RECOVERABLE", "REQUEUE", "ErrorKind"]


@dataclass(frozen=True, slots=True)
class ErrorKind:
    category: str | None
    sub_type: str | None
    message: str  # the Maintenance Agent's analysis
    original_error: str  # raw runtime error
    description: str | None  # llm_error_description
    user_error: bool = False  # may carry an approved error_code (e.g. ELIG-0003)


E = ErrorKind

# Errors the Maintenance Agent recovered from in-run (workflow patched, popup dismissed, waited).
RECOVERABLE: list[ErrorKind] = [
    E(
        "UNEXPECTED_UI_STATE",
        "DISMISSIBLE",
        "A cookie consent banner covered '{node}'; it was dismissed and the action retried.",
        "Element click intercepted: <div class='cookie-bar'> would receive the click",
        "A dismissible cookie consent overlay blocked the target element.",
    ),
    E(
        "UNEXPECTED_UI_STATE",
        "DISMISSIBLE",
        "A 'What's new' modal appeared before '{node}'; it was closed.",
        "Element <button> is not clickable at point (640, 412). Other element would receive the "
        'click: <div class="modal-backdrop fade show">',
        "A release-notes modal blocked the page; closing it restored the expected layout.",
    ),
    E(
        "XPATH_INCORRECT",
        "SELECTOR_NO_MATCH",
        "The selector for '{node}' matched nothing after a redesign; a new selector was found.",
        'TimeoutError: waiting for selector "{xpath}" failed: timeout 30000ms exceeded',
        "The element's attributes changed; the original XPath no longer matches.",
    ),
    E(
        "XPATH_INCORRECT",
        "AMBIGUOUS_MATCHES",
        "The selector for '{node}' matched 2 elements; it was narrowed to the visible one.",
        "strict mode violation: locator('{xpath}') resolved to 2 elements",
        "A hidden duplicate of the element exists in a collapsed panel.",
    ),
    E(
        "XPATH_INCORRECT",
        "TABLE_SELECTOR_MISMATCH",
        "The results table selector matched 0 rows after the page re-rendered.",
        "XPath //table[@id='results']//tbody/tr matched 0 elements",
        "The results table id changed; the selector no longer matches.",
    ),
    E(
        "UPSTREAM_ERROR",
        "TIMING_RACE",
        "'{node}' ran before the page finished updating; the step was retried after a wait.",
        "Element is detached from the DOM",
        "The page re-rendered between locating and clicking the element.",
    ),
    E(
        "PAGE_STILL_LOADING",
        None,
        "The page at {url} was still loading; the agent waited and continued.",
        "Navigation timeout of 30000 ms exceeded",
        "The site was slow to finish loading; Page Loading Recovery waited for it.",
    ),
    E(
        "UNEXPECTED_POPUP",
        None,
        "A survey popup appeared during '{node}' and was closed.",
        "Element click intercepted: <div id='qualtrics-survey'> would receive the click",
        "A promotional survey modal covered the page.",
    ),
    E(
        "ACTION_PERFORMED_TOO_EARLY",
        None,
        "'{node}' was attempted before the element was enabled; a wait was added.",
        "element is not enabled: <button disabled> '{node}'",
        "The button is disabled until the form finishes validating.",
    ),
]

# Recoverable by rescheduling: the run goes to execution.requeued.
REQUEUE: list[ErrorKind] = [
    E(
        "SERVICE_UNAVAILABLE",
        "HTTP_ERROR",
        "The portal returned HTTP 503 Service Unavailable; the run was rescheduled.",
        "net::ERR_HTTP_RESPONSE_CODE_FAILURE (503) at {url}",
        "The upstream site is temporarily unavailable.",
    ),
    E(
        "SERVICE_UNAVAILABLE",
        "MAINTENANCE_DOWNTIME",
        "The portal shows a scheduled maintenance page; the run was rescheduled.",
        "Page title is 'Scheduled Maintenance' at {url}",
        "The target system is down for planned maintenance.",
    ),
    E(
        "SERVICE_UNAVAILABLE",
        "APPLICATION_ERROR",
        "The portal showed 'An unexpected error has occurred'; the run was rescheduled.",
        "Visible text: 'An unexpected error has occurred. Reference #5f2a9c'",
        "The site raised a server-side application error.",
    ),
    E(
        "SERVICE_UNAVAILABLE",
        "ELEMENT_TIMEOUT",
        "No element rendered on {url} for 60 seconds; the run was rescheduled.",
        "TimeoutError: page.waitForSelector: Timeout 60000ms exceeded.",
        "The site did not render its content in time; it is probably overloaded.",
    ),
]

# Final, unrecovered errors of failed runs.
FATAL: list[ErrorKind] = [
    E(
        "AUTHENTICATION_ERROR",
        "INVALID_CREDENTIALS",
        "Login failed: the portal reported invalid username or password.",
        "Visible text: 'The username or password you entered is incorrect.'",
        "The stored credentials were rejected by the site.",
        True,
    ),
    E(
        "AUTHENTICATION_ERROR",
        "MFA_CODE_REJECTED",
        "The one-time code was rejected twice.",
        "Visible text: 'Invalid verification code'",
        "The TOTP secret in the vault appears to be out of sync.",
        True,
    ),
    E(
        "AUTHENTICATION_ERROR",
        "TFA_SETUP_REQUIRED",
        "The site requires two-factor enrollment before continuing.",
        "URL changed to {url}/mfa/enroll",
        "The account has no 2FA method configured.",
        True,
    ),
    E(
        "AUTHENTICATION_ERROR",
        "ACCOUNT_LOCKED",
        "The account is locked after too many failed attempts.",
        "Visible text: 'Your account has been locked. Contact your administrator.'",
        "The account was locked by the site.",
        True,
    ),
    E(
        "AUTHENTICATION_ERROR",
        "SILENT_LOGIN_FAILURE",
        "After signing in the login page reloaded without an error message.",
        "Expected URL to change from {url} after submit",
        None,
        True,
    ),
    E(
        "AUTHENTICATION_ERROR",
        "ACCESS_DENIED",
        "The user has no access to this part of the portal.",
        "HTTP 403 at {url}",
        "The account lacks the role needed for this page.",
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "FIELD_VALIDATION_ERROR",
        "The portal rejected the value entered in '{node}'.",
        "Validation message visible: '{field} is not valid'",
        "The input value failed the site's validation.",
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "NO_MATCHING_OPTION",
        "No option in '{node}' matches the requested value.",
        "Select option not found: '{field}'",
        "The input value is not one of the offered options.",
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "EMPTY_SELECTOR_VALUE",
        "'{node}' needs a value but the input variable was empty.",
        "Cannot type an empty string into {xpath}",
        None,
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "UNRESOLVED_TEMPLATE",
        "A template variable in '{node}' was never filled in.",
        "Unresolved template '{{{{{field}}}}}' in INPUT_TEXT",
        None,
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "MULTIPLE_MATCHING_RESULTS_FOUND",
        "The search returned several matching records and no rule picks one.",
        "Expected 1 result row, found 3",
        "The search criteria are ambiguous.",
        True,
    ),
    E(
        "INCORRECT_FORM_INPUTS",
        "PAGINATION_MISSING",
        "The record was not on the first results page and no pagination step exists.",
        "Row matching '{field}' not found in 25 visible rows",
        None,
        True,
    ),
    E(
        "PASSWORD_UPDATE_REQUIRED",
        None,
        "The site requires a password change before continuing.",
        "URL changed to {url}/password/expired",
        "The account's password has expired.",
        True,
    ),
    E(
        "PAGE_NOT_FOUND",
        None,
        "The record page does not exist.",
        "HTTP 404 Not Found at {url}",
        "The ID in the input does not exist on the site.",
        True,
    ),
    E(
        "UNEXPECTED_UI_STATE",
        "DECISION_REQUIRED",
        "A modal asks whether to replace an existing submission; a decision is required.",
        "Modal visible: 'A request for this patient already exists. Replace it?'",
        "A non-dismissible modal needs a business decision.",
    ),
    E(
        "XPATH_INCORRECT",
        "SELECTOR_MISMATCH",
        "The selector for '{node}' points at a different element after a redesign.",
        "Expected <button> but {xpath} resolved to <span>",
        None,
    ),
    E(
        "UPSTREAM_ERROR",
        "PREREQUISITE_NOT_MET",
        "The portal requires a verified provider profile before submitting.",
        "Visible text: 'Complete your profile before continuing'",
        None,
    ),
    E(
        "UPSTREAM_ERROR",
        "SILENT_UPSTREAM_FAILURE",
        "The form was submitted but no confirmation appeared.",
        "Expected confirmation banner not found after 45000ms",
        None,
    ),
    E(
        "UPSTREAM_ERROR",
        "TRANSIENT_SITE_ISSUE",
        "The site returned an error page while loading results.",
        "Visible text: 'Something went wrong. Please try again later.'",
        None,
    ),
    E(
        "SERVICE_UNAVAILABLE",
        "HTTP_ERROR",
        "The portal stayed unavailable after every retry.",
        "net::ERR_HTTP_RESPONSE_CODE_FAILURE (502) at {url}",
        "The upstream site is down.",
    ),
    E(
        "ACCOUNT_LOGGED_OUT",
        None,
        "The site logged the account out mid-run.",
        "URL changed to {url}/login?reason=session_expired",
        "Another session with the same credentials logged this one out.",
    ),
    E(
        "ACCOUNT_UPDATE_REQUIRED",
        None,
        "The site requires accepting new terms of service.",
        "Visible text: 'Please review and accept the updated Terms of Use'",
        None,
        True,
    ),
    E(
        "ACTION_BLOCKED_BY_PLATFORM",
        None,
        "The portal refused a duplicate submission.",
        "Visible text: 'A submission with these details already exists'",
        None,
        True,
    ),
    E(
        "ADDITIONAL_USER_INPUT_REQUIRED",
        None,
        "The portal asks for a secondary phone number that was not provided.",
        "Required field 'Secondary phone' is empty",
        None,
        True,
    ),
    E(
        None,
        None,
        "The browser session crashed.",
        "Target page, context or browser has been closed",
        None,
    ),
]

AUTO_INTERRUPT = E(
    None,
    None,
    "Run interrupted because another run using the same credentials failed to log in.",
    "Interrupted: credential lockout protection",
    None,
)

LLM_MODELS: list[str | None] = ["gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4", None]
