"""Filters: facet values with passage counts, the active filters above the results, one key clears."""

import pytest

from tests.tui.helpers import ask, settle, text
from tui.app import KbApp

pytestmark = pytest.mark.anyio

QUESTION = "How is the benefit financed?"


async def test_filtering_by_country_restricts_the_citations(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTION)
        citations = app.screen.query_one("#citations")
        assert {c for item in citations.items for c in item.countries} - {"KEN"}, (
            "unfiltered: several countries"
        )

        await pilot.press("ctrl+f")
        await settle(pilot)
        countries = app.screen.query_one("#facet-countries")
        assert app.focused is countries
        listed = text(countries)
        assert "Kenya (KEN) 5" in listed and "Nepal (NPL)" in listed  # each value with its passage count
        kenya = [o.value for o in countries.options].index("KEN")
        countries.highlighted = kenya
        await pilot.press("space")
        await settle(pilot)

        assert "Filters Country: Kenya (KEN)" in text(app.screen.query_one("#active-filters"))
        assert app.filters.countries == ["KEN"]
        assert citations.items and all(item.countries == ("KEN",) for item in citations.items)
        assert "Africa 5" in text(app.screen.query_one("#facet-regions"))  # counts follow the filters

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "No filters" in text(app.screen.query_one("#active-filters"))
        assert countries.selected == []


async def test_a_year_range_narrows_the_results(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, QUESTION)
        await pilot.press("ctrl+f")
        await settle(pilot)
        app.screen.query_one("#year-from").focus()
        await pilot.press(*"2015", "tab", *"2017")
        await settle(pilot)
        assert "Years: 2015–2017" in text(app.screen.query_one("#active-filters"))
        items = app.screen.query_one("#citations").items
        assert items and all(item.year == 2016 for item in items)


async def test_an_unticked_box_is_empty_and_a_ticked_one_shows_its_mark(kb_index):
    app = KbApp(index=kb_index)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        countries = app.screen.query_one("#facet-countries")
        for component in ("selection-list--button", "selection-list--button-highlighted"):
            style = countries.get_component_rich_style(component)
            assert style.color == style.bgcolor, component  # the X is drawn in the box's own colour
        for component in ("selection-list--button-selected", "selection-list--button-selected-highlighted"):
            style = countries.get_component_rich_style(component)
            assert style.color != style.bgcolor, component
