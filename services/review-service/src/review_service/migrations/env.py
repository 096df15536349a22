from review_service.adapters.tables import metadata
from zhicheng_kernel.migrations import run_env

run_env(metadata)
