from django.shortcuts import render


def index(request):
    return render(request, "shop/index.html", {"items": ["tea", "cake"]})
