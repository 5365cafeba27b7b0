def person(request):
    """Templates see the signed-in user's Person (role and unit) as `me`."""
    user = getattr(request, "user", None)
    return {"me": getattr(user, "person", None) if user and user.is_authenticated else None}
