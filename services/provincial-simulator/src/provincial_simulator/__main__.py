import logging

import uvicorn

from .app import create_app
from .settings import SimulatorSettings


def main() -> None:
    settings = SimulatorSettings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, access_log=False)


if __name__ == "__main__":
    main()
