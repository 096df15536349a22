from zhicheng_kernel.service import serve

from .app import create_app
from .settings import ApplicationSettings


def main() -> None:
    settings = ApplicationSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
