from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ..graphql.views import execute_graphql
from .tokens import authenticate


@csrf_exempt
def graphql_view(request: HttpRequest) -> HttpResponse:
    return execute_graphql(request, authenticate=authenticate, graphiql=True)


urlpatterns = [
    path("", lambda request: redirect("graphql/")),
    path("graphql/", graphql_view, name="graphql"),
]
