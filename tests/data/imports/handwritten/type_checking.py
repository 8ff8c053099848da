from __future__ import annotations

import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    import pandas as pd
else:
    S3Client = object

if typing.TYPE_CHECKING:
    import numpy.typing as npt


def handler(event: dict, context: object) -> "pd.DataFrame | None":
    client: S3Client = None  # type: ignore[assignment]
    return client
