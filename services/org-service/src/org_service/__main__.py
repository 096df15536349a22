from zhicheng_kernel.service import serve

from .app import create_app
from .settings import OrgSettings

settings = OrgSettings()
serve(create_app(settings), settings)
