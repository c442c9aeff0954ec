"""``starcoach serve``: the web app on localhost (FastAPI + uvicorn), opened in a browser."""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from starcoach.cli.output import console
from starcoach.errors import InputError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on. Anything but 127.0.0.1 exposes your stories."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser tab.")
    ] = False,
) -> None:
    """Start the web app: dashboard, stories, loop plan, questions, practice, review, history."""
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, not {port}.")
    import uvicorn

    from starcoach.web.app import create_app

    out = console(stderr=True)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if host not in LOOPBACK:
        out.print(
            f"[yellow]Listening on {host}: other machines on the network can reach your "
            "stories. Use the default 127.0.0.1 to keep them on this computer.[/yellow]"
        )
    app = create_app(host=host)
    out.print(
        "Loading the coach… (the first start after installing builds its caches, "
        "up to a minute; later starts take a few seconds)",
        soft_wrap=True,
    )
    with out.status("Loading the coach…"):
        app.state.core.warm_up()  # so that the first page is not the one that waits
    out.print(f"starcoach is running at [bold]{url}[/bold] (Ctrl-C stops it).")
    if not no_browser:
        import webbrowser

        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    except OSError as exc:
        raise InputError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from None
