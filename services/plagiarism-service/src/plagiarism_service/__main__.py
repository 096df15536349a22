from zhicheng_kernel.service import serve

from .app import create_app
from .settings import PlagiarismSettings


def main() -> None:
    settings = PlagiarismSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
