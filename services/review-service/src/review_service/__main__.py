from zhicheng_kernel.service import serve

from .app import create_app
from .settings import ReviewSettings

if __name__ == "__main__":
    settings = ReviewSettings()
    serve(create_app(settings), settings)
