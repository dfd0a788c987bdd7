"""The OpenAPI 3.1 description of the public JSON API, served at /api/openapi.json.

The practice schema is generated from `PracticePublic`, so the description cannot drift from
what the API returns; the query parameters mirror `api_params`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.api_params import (
    DEFAULT_LIMIT,
    DEFAULT_ZOOM,
    LEVELS,
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    PRIORITIES,
    YEARS,
)
from bot.web.open311_openapi import open311_paths
from handlers.practice_form import FIELDS
from storage.public_shapes import PracticePublic

REF = "#/components/schemas/{model}"


def _param(name: str, schema: dict[str, Any], description: str,
           where: str = "query", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


MAP_PARAMETERS = [
    _param("bbox", {"type": "string", "pattern": r"^[-0-9.eE+]+(,[-0-9.eE+]+){3}$"},
           "west,south,east,north in degrees (WGS 84)"),
    _param("field", {"type": "string", "enum": list(FIELDS)}, "field (lĩnh vực)"),
    _param("level", {"type": "string", "enum": list(LEVELS)},
           "recognised at this level (cấp công nhận)"),
    _param("priority", {"type": "string", "enum": list(PRIORITIES)},
           "\"Ưu tiên\" flag: a new practice, a hard task, or a difficult area"),
    _param("province", {"type": "string", "pattern": r"^\d{2}$"}, "province code"),
    _param("commune", {"type": "string", "pattern": r"^\d{5}$"}, "commune/ward code"),
    _param("year", {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
           "year submitted, in local time"),
    _param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS},
           "words to find in title, collective, village or summary; case and diacritics "
           "are ignored"),
    _param("zoom", {"type": "integer", "minimum": 0, "maximum": 22, "default": DEFAULT_ZOOM},
           "map zoom; sets the grid used when the answer is clustered"),
    _param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                     "default": DEFAULT_LIMIT},
           "largest number of single practices; above it the answer is grid clusters"),
]


def build_document() -> dict[str, Any]:
    practice_schema = PracticePublic.model_json_schema(ref_template=REF)
    components: dict[str, Any] = practice_schema.pop("$defs", {})
    components["PracticePublic"] = practice_schema
    components["Error"] = {"type": "object", "properties": {
        "error": {"type": "string"}, "parameter": {"type": "string"},
        "detail": {"type": "string"}}, "required": ["error"]}
    former = {"type": "object", "required": ["name", "district", "province", "label"],
              "properties": {"name": {"type": "string"},
                             "district": {"type": ["string", "null"]},
                             "province": {"type": "string"}, "label": {"type": "string"}}}
    components["UnitMatch"] = {
        "type": "object",
        "required": ["code", "name", "kind", "province_code", "province_name", "label",
                     "formerly"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                       "kind": {"type": "string", "enum": ["province", "commune"]},
                       "province_code": {"type": "string"}, "province_name": {"type": "string"},
                       "label": {"type": "string"},
                       "formerly": {"oneOf": [former, {"type": "null"}]}}}
    components["Feature"] = {"type": "object", "required": ["type", "geometry", "properties"],
                             "properties": {
        "type": {"const": "Feature"},
        "geometry": {"type": "object", "properties": {
            "type": {"const": "Point"},
            "coordinates": {"type": "array", "items": {"type": "number"},
                            "minItems": 2, "maxItems": 2}}},
        "properties": {"type": "object", "description":
                       "a practice (code, title, field, level, approximate) or a cluster "
                       "(cluster: true, count)"}}}
    components["FeatureCollection"] = {
        "type": "object", "required": ["type", "features", "total", "clustered"],
        "properties": {"type": {"const": "FeatureCollection"},
                       "features": {"type": "array",
                                    "items": {"$ref": REF.format(model="Feature")}},
                       "total": {"type": "integer"}, "clustered": {"type": "boolean"}}}
    code = _param("code", {"type": "string", "pattern": r"^MH-\d{4}-\d{1,12}$"},
                  "practice receipt code", "path")
    return {
        "openapi": "3.1.0",
        "info": {"title": "Dân vận khéo — public map API", "version": "1",
                 "description": "Approved and recognised practices of the 'Dân vận khéo' "
                                "movement. Only public fields. Feedback only where its sender "
                                "chose to publish it, without personal data (Open311 "
                                "GeoReport v2)."},
        "paths": {
            "/api/practices.geojson": {"get": {
                "summary": "Practices in a view, as GeoJSON points or grid clusters",
                "parameters": MAP_PARAMETERS,
                "responses": {"200": _json({"$ref": REF.format(model="FeatureCollection")}),
                              "400": _error("a parameter is invalid")}}},
            "/api/practices/{code}": {"get": {
                "summary": "One public practice in full",
                "parameters": [code],
                "responses": {"200": _json({"$ref": REF.format(model="PracticePublic")}),
                              "404": _error("no public practice with this code")}}},
            "/api/provinces": {"get": {
                "summary": "The 34 provinces, with an approximate bounding box",
                "responses": {"200": _json({"type": "array", "items": {"type": "object"}})}}},
            "/api/provinces/{code}/communes": {"get": {
                "summary": "Communes, wards and special zones of a province",
                "parameters": [_param("code", {"type": "string", "pattern": r"^\d{2}$"},
                                      "province code", "path")],
                "responses": {"200": _json({"type": "array", "items": {"type": "object"}}),
                              "404": _error("unknown province")}}},
            "/api/units/search": {"get": {
                "summary": "Provinces and communes by name, today's or before the 2025 "
                           "reorganisation (then `formerly` names the former unit)",
                "parameters": [
                    _param("q", {"type": "string", "minLength": 2, "maxLength": 120},
                           "name to look for, with or without diacritics", required=True),
                    _param("kind", {"type": "string", "enum": ["province", "commune"]},
                           "only this kind of unit", "query")],
                "responses": {"200": _json({"type": "array", "items": {
                                  "$ref": REF.format(model="UnitMatch")}}),
                              "400": _error("a parameter is invalid")}}},
            "/api/photos/{photo_id}/{size}.jpg": {"get": {
                "summary": "A photo of a public practice, re-encoded without metadata",
                "parameters": [
                    _param("photo_id", {"type": "integer", "minimum": 1}, "photo id", "path"),
                    _param("size", {"type": "string", "enum": ["thumb", "large", "hq"]},
                           "thumb (320 px), large (1280 px), or hq (2048 px, only for "
                           "recognised practices: for the press)", "path")],
                "responses": {"200": {"description": "JPEG",
                                      "content": {"image/jpeg": {}}},
                              "404": _error("no such public photo")}}},
            "/api/update-photos/{photo_id}/{size}.jpg": {"get": {
                "summary": "A photo of a published update of a public practice (its "
                           "timeline), re-encoded without metadata",
                "parameters": [
                    _param("photo_id", {"type": "integer", "minimum": 1}, "photo id", "path"),
                    _param("size", {"type": "string", "enum": ["thumb", "large"]},
                           "thumb (320 px) or large (1280 px)", "path")],
                "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                              "404": _error("no such public photo")}}},
            "/api/videos/{video_id}.mp4": {"get": {
                "summary": "A short video of a public practice or of a published update: "
                           "MP4 (H.264 + AAC), re-encoded without metadata; answers HTTP range "
                           "requests (206 Partial Content) so players can seek",
                "parameters": [
                    _param("video_id", {"type": "integer", "minimum": 1}, "video id", "path"),
                    _param("Range", {"type": "string"}, "bytes=START-END", "header")],
                "responses": {"200": {"description": "MP4", "content": {"video/mp4": {}}},
                              "206": {"description": "the requested bytes",
                                      "content": {"video/mp4": {}}},
                              "404": _error("no such public video")}}},
            "/api/videos/{video_id}/poster.jpg": {"get": {
                "summary": "A video's poster frame (JPEG)",
                "parameters": [
                    _param("video_id", {"type": "integer", "minimum": 1}, "video id", "path")],
                "responses": {"200": {"description": "JPEG", "content": {"image/jpeg": {}}},
                              "404": _error("no such public video")}}},
            "/healthz": {"get": {
                "summary": "Database reachable, scheduler running",
                "responses": {"200": _json({"type": "object"}),
                              "503": _json({"type": "object"}, "unhealthy")}}},
            **open311_paths(),
        },
        "components": {"schemas": components},
    }


async def openapi_document(request: web.Request) -> web.Response:
    return web.json_response(build_document())
