"""The configured geocoder and travel model, built once per app."""

from __future__ import annotations

from flask import current_app


def geocoder():
    ext = current_app.extensions
    if "sparelog.geocoder" not in ext:
        from logistics.geocoding import make_geocoder

        config = current_app.config
        provider = config["GEOCODER"]
        options: dict = {}
        if provider == "nominatim":
            options = {"user_agent": config["NOMINATIM_USER_AGENT"]}
        elif provider == "baidu":
            options = {
                "api_key": config["BAIDU_MAP_AK"],
                "domain": config["BAIDU_MAP_DOMAIN"],
                "scheme": config["BAIDU_MAP_SCHEME"],
            }
        if provider != "gazetteer":
            options["timeout"] = config["GEOCODER_TIMEOUT_S"]
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
        raise InvalidInput(
            str(error), field=field, key="place_not_found", params={"place": error.text}
        ) from None
    except ValueError as error:
        raise InvalidInput(
            str(error), field=field, key="place_unreadable", params={"place": text}
        ) from None


def locate(data: dict, address_field: str = "address") -> None:
    """Fill a new place's coordinates in ``data``, in the product's order: the ``lat`` /
    ``lon`` a person entered or picked on the map (at the ``precision`` they give, default
    exact); else the configured geocoder on the address (online if configured, the
    offline gazetteer at district or city level otherwise). Sets ``lat``, ``lon``,
    ``precision``, ``uncertainty_km`` and, unless given, ``city`` and ``timezone``."""
    from inventory.errors import InvalidInput
    from logistics.geocoding import entered_place

    if data.get("lat") is not None and data.get("lon") is not None:
        try:
            place = entered_place(
                data["lat"],
                data["lon"],
                data.get("precision") or "exact",
                address=data.get(address_field) or "",
            )
        except ValueError as error:
            raise InvalidInput(str(error), field="lat", key="bad_point") from None
    else:
        place = resolve(data[address_field], address_field)
    data.update(
        lat=place.lat,
        lon=place.lon,
        precision=place.precision.value,
        uncertainty_km=place.uncertainty_km,
    )
    if not data.get("city"):
        data["city"] = place.city or place.name
    if not data.get("timezone"):
        data["timezone"] = place.timezone
