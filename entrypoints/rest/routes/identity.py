"""Sign-up, access tokens, and who the caller is."""

from __future__ import annotations

from application.identity import IssueToken, Signup
from domain.identity import ApiKey
from entrypoints.rest.bodies import SignupBody, TokenBody
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.views import MeApiKeyOut, MeUserOut, TokenOut, UserOut

TAG = "Authentication"
# RFC 6749 §5.1: a response carrying a credential must not be cached.
NO_STORE = {"Cache-Control": "no-store"}


async def signup(call: Call) -> UserOut:
    body: SignupBody = call.body
    user = await call.use_cases.signup(Signup(email=body.email, password=body.password, name=body.name))
    return UserOut.of(user)


async def issue_token(call: Call) -> TokenOut:
    body: TokenBody = call.body
    token = await call.use_cases.issue_token(IssueToken(email=body.email, password=body.password,
                                                        client_address=call.client_address))
    return TokenOut.of(token)


async def me(call: Call) -> MeUserOut | MeApiKeyOut:
    caller = await call.use_cases.me(call.caller)
    return MeApiKeyOut.of(caller) if isinstance(caller, ApiKey) else MeUserOut.of(caller)


ENDPOINTS = [
    Endpoint("POST", "/api/v1/auth/signup", signup, "signup", "Sign up", TAG, status=201, body=SignupBody,
             response=UserOut, public=True, creates=True, errors=(409,),
             description="Creates a user account. 409 when the email already has one."),
    Endpoint("POST", "/api/v1/auth/token", issue_token, "issueToken", "Get an access token", TAG,
             body=TokenBody, response=TokenOut, public=True, errors=(401, 429), headers=NO_STORE,
             description="Exchanges an email and password for a bearer access token. Repeated failures "
                         "answer 429 with Retry-After."),
    Endpoint("GET", "/api/v1/me", me, "getMe", "Who am I", TAG, response=MeUserOut | MeApiKeyOut,
             description="The caller: a user (`type: user`) or an organization API key (`type: api_key`)."),
]
