"""Finding places in what dispatchers type: Chinese and English addresses, or "lat,lon"."""

from __future__ import annotations

import time

import pytest
from geopy.geocoders.base import Geocoder

from logistics.geocoding import (
    GazetteerGeocoder,
    Place,
    PlaceNotFound,
    city_timezone,
    make_geocoder,
    resolve_place,
)
from logistics.geodesy import sphere_km

# Reference points (lat, lon) of city centres, from public atlases, rounded.
CHENGDU = (30.66, 104.07)
SHANGHAI = (31.23, 121.47)
BEIJING = (39.90, 116.40)


def km_between(place: Place, point: tuple[float, float]) -> float:
    return float(sphere_km(place.lat, place.lon, point[0], point[1]))


@pytest.fixture(scope="module")
def geocoder() -> GazetteerGeocoder:
    return GazetteerGeocoder()


@pytest.mark.parametrize(
    ("address", "near", "name"),
    [
        ("四川省成都市武侯区人民南路四段", CHENGDU, "Chengdu"),
        ("Room 5, 100 Century Ave, Pudong, Shanghai", SHANGHAI, "Shanghai"),
        ("北京市海淀区", BEIJING, "Beijing"),
    ],
)
def test_city_named_inside_an_address_is_found(
    address: str, near: tuple[float, float], name: str
) -> None:
    place = resolve_place(address)
    assert place.name == name
    assert km_between(place, near) < 25
    assert place.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("苏州", "Suzhou"),
        ("无锡", "Wuxi"),
        ("佛山", "Foshan"),
        ("东莞", "Dongguan"),
        ("温州", "Wenzhou"),
        ("泉州", "Quanzhou"),
        ("洛阳", "Luoyang"),
        ("包头", "Baotou"),
    ],
)
def test_prefecture_level_city_in_chinese_is_the_same_place_as_in_english(
    chinese: str, english: str
) -> None:
    assert km_between(resolve_place(chinese), resolve_place(english).point) < 1


def test_chinese_name_prefers_the_large_chinese_city_over_a_namesake_town() -> None:
    # 洛阳 is also a town in Fujian; 苏州 in Chinese is Jiangsu's Suzhou (Anhui's is 宿州).
    luoyang = resolve_place("河南省洛阳市")
    assert km_between(luoyang, (34.62, 112.45)) < 25
    suzhou = resolve_place("江苏省苏州市工业园区")
    assert km_between(suzhou, (31.30, 120.62)) < 25


def test_street_named_after_another_city_does_not_move_the_address() -> None:
    # Every Chinese city has a 北京路 / 上海路; the city is the one before it.
    place = resolve_place("成都市北京路1号")
    assert place.name == "Chengdu"


def test_province_that_shares_a_city_name_is_not_taken_for_the_city() -> None:
    # 吉林省 (the province) with its capital 长春: the answer is Changchun, not Jilin city.
    assert resolve_place("吉林省长春市朝阳区").name == "Changchun"


def test_county_level_city_inside_a_prefecture_is_the_more_specific_answer() -> None:
    place = resolve_place("河北省廊坊市三河市燕郊镇")
    assert km_between(place, (39.98, 117.07)) < 15  # Sanhe, not Langfang's centre 50 km away


def test_bare_district_name_that_is_also_a_distant_city_does_not_win() -> None:
    # 朝阳 is a Beijing district and also a city in Liaoning, 400 km away.
    assert resolve_place("北京朝阳").name == "Beijing"


def test_state_in_an_english_address_picks_the_city_in_that_state() -> None:
    assert km_between(resolve_place("Paris, Texas"), (33.66, -95.56)) < 25
    # Springfield, Missouri is larger; the address says Illinois.
    assert km_between(resolve_place("100 Main St, Springfield, IL 62701"), (39.80, -89.64)) < 25


@pytest.mark.parametrize(
    "text", ["火星基地三号舱", "Room 12, Century Building", "中山北路100号", "   "]
)
def test_text_without_a_known_city_is_not_found_rather_than_guessed(
    text: str, geocoder: GazetteerGeocoder
) -> None:
    assert geocoder.geocode(text) is None
    with pytest.raises(PlaceNotFound) as error:
        resolve_place(text)
    assert text.strip() in str(error.value)


def test_coordinates_are_accepted_as_a_place() -> None:
    place = resolve_place(" 31.2304, 121.4737 ")
    assert (place.lat, place.lon) == (31.2304, 121.4737)
    assert place.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(("text", "word"), [("95,10", "latitude"), ("10,190", "longitude")])
def test_out_of_range_coordinates_are_refused_naming_the_bad_one(text: str, word: str) -> None:
    with pytest.raises(ValueError) as error:
        resolve_place(text)
    assert word in str(error.value)
    assert not isinstance(error.value, PlaceNotFound)


def test_gazetteer_is_a_geopy_geocoder_returning_a_location(geocoder: GazetteerGeocoder) -> None:
    assert isinstance(geocoder, Geocoder)
    location = geocoder.geocode("Wuxi")
    assert location is not None
    assert location.raw["timezone"] == "Asia/Shanghai"
    assert km_between(Place("x", location.latitude, location.longitude, ""), (31.57, 120.30)) < 25


def test_reverse_geocoding_gives_the_nearest_city(geocoder: GazetteerGeocoder) -> None:
    location = geocoder.reverse("29.66, 91.13")
    assert location is not None and location.raw["name"] == "Lhasa"


def test_lookup_takes_well_under_a_millisecond(geocoder: GazetteerGeocoder) -> None:
    geocoder.geocode("warm up")
    start = time.perf_counter()
    for _ in range(200):
        geocoder.geocode("四川省成都市武侯区人民南路四段")
    assert (time.perf_counter() - start) / 200 < 0.001


def test_time_zone_of_coordinates_follows_the_nearest_city() -> None:
    assert city_timezone(43.8, 87.6) == "Asia/Urumqi"
    assert city_timezone(48.14, 11.58) == "Europe/Berlin"
    assert city_timezone(0.0, -150.0) == "Etc/GMT+10"  # open Pacific: nautical zone


def test_geocoder_provider_is_chosen_by_name() -> None:
    assert isinstance(make_geocoder("gazetteer"), GazetteerGeocoder)
    online = make_geocoder("nominatim", user_agent="sparelog-test")
    assert [type(g).__name__ for g in online.geocoders] == ["Nominatim", "GazetteerGeocoder"]
    with pytest.raises(ValueError, match="unknown geocoder"):
        make_geocoder("carrier-pigeon")


def test_the_index_a_process_builds_is_kept_and_the_next_one_loads_the_same(
    tmp_path, monkeypatch
) -> None:
    from logistics import gazetteer as module

    monkeypatch.setenv("SPARELOG_CACHE_DIR", str(tmp_path))
    module.gazetteer.cache_clear()
    try:
        built = module.gazetteer(5000)
        kept = list(tmp_path.glob("gazetteer-5000-*.pickle"))
        assert len(kept) == 1 and not list(tmp_path.glob("*.tmp"))
        module.gazetteer.cache_clear()
        loaded = module.gazetteer(5000)
        assert loaded is not built
        for text in ("北京市朝阳区建国路", "廊坊市三河市", "Paris, Texas", "浦东新区"):
            assert loaded.find(text) == built.find(text), text
        assert loaded.nearest(31.2, 121.4) == built.nearest(31.2, 121.4)
        kept[0].write_bytes(b"not an index")  # damaged: built again, not an error
        module.gazetteer.cache_clear()
        assert module.gazetteer(5000).find("廊坊市三河市") == built.find("廊坊市三河市")
        monkeypatch.setenv("SPARELOG_CACHE_DIR", "off")
        assert module._cache_file(5000) is None
    finally:
        module.gazetteer.cache_clear()
