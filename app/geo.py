"""The configured geocoder and travel model, built once per app."""

from __future__ import annotations

from flask import current_app


def geocoder():
    ext = current_app.extensions
    if "sparelog.geocoder" not in ext:
        from logistics.geocoding import make_geocoder

        provider = current_app.config["GEOCODER"]
        options = (
            {"user_agent": current_app.config["NOMINATIM_USER_AGENT"]}
            if provider == "nominatim"
            else {}
        )
        ext["sparelog.geocoder"] = make_geocoder(provider, **options)
    return ext["sparelog.geocoder"]


def travel_model():
    ext = current_app.extensions
    if "sparelog.travel" not in ext:
        from logistics.travel import make_travel_model

        provider = current_app.config["TRAVEL_PROVIDER"]
        options = {"url": current_app.config["OSRM_URL"]} if provider == "osrm" else {}
        ext["sparelog.travel"] = make_travel_model(provider, **options)
    return ext["sparelog.travel"]


def resolve(text: str, field: str):
    """A Place for a city/address or "lat,lon"; an InvalidInput naming ``field`` otherwise."""
    from inventory.errors import InvalidInput
    from logistics.geocoding import PlaceNotFound, resolve_place

    try:
        return resolve_place(text, geocoder())
    except PlaceNotFound as error:
        raise InvalidInput(str(error), field=field) from None
    except ValueError as error:
        raise InvalidInput(str(error), field=field) from None
