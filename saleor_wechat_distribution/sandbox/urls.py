from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ..graphql.views import execute_graphql
from ..wechat.payout_notifications import payout_notification_view
from .tokens import authenticate


@csrf_exempt
def graphql_view(request: HttpRequest) -> HttpResponse:
    return execute_graphql(request, authenticate=authenticate, graphiql=True)


urlpatterns = [
    path("", lambda request: redirect("graphql/")),
    path("graphql/", graphql_view, name="graphql"),
    path("wechatpay/<slug:channel>/notify/", csrf_exempt(payout_notification_view), name="wechatpay-notify"),
]
