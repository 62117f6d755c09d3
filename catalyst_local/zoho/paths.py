"""Path parameters shared by the sandbox's routes: a data center and an API version."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from catalyst_local.zoho.orgs import DATA_CENTERS


class DataCenterConvertor(Convertor[str]):
    # Longest first, so "com.au" is not read as "com".
    regex = "|".join(sorted((dc.replace(".", r"\.") for dc in DATA_CENTERS), key=len,
                            reverse=True))

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class VersionConvertor(Convertor[str]):
    """CRM API generations v2, v2.1 and v3 to v8, which share every path."""

    regex = r"2\.1|[2-8]"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("zoho_dc", DataCenterConvertor())
register_url_convertor("zoho_version", VersionConvertor())

DC = "{dc:zoho_dc}"
VERSION = "v{version:zoho_version}"
