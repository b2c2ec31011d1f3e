"""Membership plans, and drivers' subscriptions to them: members charge at the plan's tariff or discount."""

from __future__ import annotations

from application.memberships import PlanTerms, Subscribe
from application.pagination import Page
from domain.errors import FieldError, InvalidInput
from domain.money import Money
from entrypoints.rest.bodies import MembershipPlanBody, SubscriptionBody
from entrypoints.rest.decoding import quantity
from entrypoints.rest.endpoint import Call, Endpoint
from entrypoints.rest.queries import SubscriptionQuery
from entrypoints.rest.views import PlanOut, SubscriptionOut

PLANS = "/api/v1/membership-plans"
SUBSCRIPTIONS = "/api/v1/subscriptions"
TAG = "Memberships"


def _terms(body: MembershipPlanBody) -> PlanTerms:
    try:
        fee = Money(body.monthly_fee.amount, body.monthly_fee.currency)
    except InvalidInput as exc:  # Money names its own fields: name them where the body has them
        raise InvalidInput([FieldError(f"monthly_fee.{e.field}", e.message) for e in exc.errors]) from None
    return PlanTerms(name=body.name, monthly_fee=fee, tariff_id=body.tariff_id,
                     discount_percent=quantity(body.discount_percent, "discount_percent"))


async def create_plan(call: Call) -> PlanOut:
    plan = await call.use_cases.create_plan(_terms(call.body), call.caller, call.organization_id)
    return PlanOut.of(plan)


async def list_plans(call: Call) -> Page[PlanOut]:
    page = await call.use_cases.list_plans(call.caller, call.organization_id, call.page)
    return page.map(PlanOut.of)


async def get_plan(call: Call) -> PlanOut:
    return PlanOut.of(await call.use_cases.get_plan(call.ids["plan_id"], call.caller, call.organization_id))


async def update_plan(call: Call) -> PlanOut:
    plan = await call.use_cases.update_plan(call.ids["plan_id"], _terms(call.body), call.caller,
                                            call.organization_id)
    return PlanOut.of(plan)


async def subscribe(call: Call) -> SubscriptionOut:
    body: SubscriptionBody = call.body
    cmd = Subscribe(plan_id=body.plan_id, driver_id=body.driver_id, starts_at=body.starts_at, ends_at=body.ends_at)
    return SubscriptionOut.of(await call.use_cases.subscribe(cmd, call.caller, call.organization_id))


async def list_subscriptions(call: Call) -> Page[SubscriptionOut]:
    q: SubscriptionQuery = call.query
    page = await call.use_cases.list_subscriptions(call.caller, call.organization_id, call.page,
                                                   driver_id=q.driver_id, plan_id=q.plan_id)
    return page.map(SubscriptionOut.of)


async def get_subscription(call: Call) -> SubscriptionOut:
    subscription = await call.use_cases.get_subscription(call.ids["subscription_id"], call.caller,
                                                         call.organization_id)
    return SubscriptionOut.of(subscription)


async def end_subscription(call: Call) -> SubscriptionOut:
    subscription = await call.use_cases.end_subscription(call.ids["subscription_id"], call.caller,
                                                         call.organization_id)
    return SubscriptionOut.of(subscription)


_PLAN = ("A plan has either its own tariff (`tariff_id`) or a discount on the usual one (`discount_percent`), "
         "not both: 422 names the field otherwise, and `tariff_id` when the tariff is not the organization's.")

ENDPOINTS = [
    Endpoint("POST", PLANS, create_plan, "createMembershipPlan", "Create a membership plan", TAG, status=201,
             body=MembershipPlanBody, response=PlanOut, creates=True, tenant=True, errors=(403,), description=_PLAN),
    Endpoint("GET", PLANS, list_plans, "listMembershipPlans", "List membership plans", TAG, response=PlanOut,
             paginated=True, tenant=True),
    Endpoint("GET", PLANS + "/{plan_id}", get_plan, "getMembershipPlan", "Get a membership plan", TAG,
             response=PlanOut, tenant=True),
    Endpoint("PUT", PLANS + "/{plan_id}", update_plan, "updateMembershipPlan", "Update a membership plan", TAG,
             body=MembershipPlanBody, response=PlanOut, tenant=True, errors=(403,),
             description="Replaces the plan's terms; sessions already started keep the price they started with. "
                         + _PLAN),
    Endpoint("POST", SUBSCRIPTIONS, subscribe, "createSubscription", "Subscribe a driver to a plan", TAG,
             status=201, body=SubscriptionBody, response=SubscriptionOut, creates=True, tenant=True, errors=(403,),
             description="422 naming `plan_id` or `driver_id` when not the organization's, `ends_at` when not "
                         "after `starts_at`; 409 when the driver already has a subscription in force then. "
                         "Sessions that start while it is in force are priced by the plan."),
    Endpoint("GET", SUBSCRIPTIONS, list_subscriptions, "listSubscriptions", "List subscriptions", TAG,
             query=SubscriptionQuery, response=SubscriptionOut, paginated=True, tenant=True),
    Endpoint("GET", SUBSCRIPTIONS + "/{subscription_id}", get_subscription, "getSubscription", "Get a subscription",
             TAG, response=SubscriptionOut, tenant=True),
    Endpoint("DELETE", SUBSCRIPTIONS + "/{subscription_id}", end_subscription, "endSubscription",
             "End a subscription", TAG, response=SubscriptionOut, tenant=True, errors=(403,),
             description="Ends it now (an ended subscription stays listed, with `ends_at`); answers 200 with the "
                         "ended subscription. Ending one that has ended already changes nothing."),
]
