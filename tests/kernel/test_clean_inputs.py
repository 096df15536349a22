"""zhicheng_kernel.inputs: the clean, bounded text every service's requests take (issue 12, finding 27 and
the "names that accept NUL, control, bidi and zero-width characters" of its smaller findings)."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, StringConstraints, TypeAdapter, ValidationError
from zhicheng_kernel.inputs import CleanText, MultilineText, invisible_characters
from zhicheng_kernel.problems import install_problem_handlers

Name = Annotated[CleanText, StringConstraints(min_length=1, max_length=20)]


@pytest.mark.parametrize("bad", ["张\x00三", "张\u202e三", "张\u200b三", "张\x07三", "张\ufeff三", "张\n三"])
def test_finding_27_a_name_with_an_invisible_or_control_character_is_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python(bad)


def test_a_clean_name_is_stripped_and_composed() -> None:
    assert TypeAdapter(Name).validate_python("  e\u0301李  ") == "é李"


def test_a_multiline_text_keeps_its_line_breaks_but_not_a_nul() -> None:
    assert TypeAdapter(MultilineText).validate_python("第一行\n第二行") == "第一行\n第二行"
    assert invisible_characters("a\x00b", allow_newlines=True) == ["U+0000"]


class _Body(BaseModel):
    name: Name


def test_the_problem_names_the_field_and_says_in_chinese_what_is_wrong() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/names")
    async def create(body: _Body) -> dict[str, str]:
        return {"name": body.name}

    answer = TestClient(app).post("/names", json={"name": "张\u202e三"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["field"] == "name"
    assert "U+202E" in problem["detail"] and "不可见或控制字符" in problem["detail"]
