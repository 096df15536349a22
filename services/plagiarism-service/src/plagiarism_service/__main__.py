from zhicheng_kernel.service import serve
from zhicheng_kernel.settings import ServiceSettings

from .app import create_app


def main() -> None:
    settings = ServiceSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
