#!/usr/bin/env python3
"""The layers of src/lib and include/vtpilot, kept by their #include lines (CODE-MAP).

Each folder is a layer; a file may include its own layer and the layers below it, never one
above. The pure layers (bytes and time in, decisions out) include no Asio, libssh, clock, sleep
or thread. A folder that is not in LAYERS fails the test: a new room is placed on purpose.

    layering.py ROOT          checks the tree at ROOT (exit 1 and one line per breach)
    layering.py --self-test   plants each kind of breach in a temp tree and expects it found
"""
import pathlib
import re
import sys
import tempfile

# Lowest first. The index is the rank: a file may include ranks <= its own.
LAYERS = ["base", "term", "screens", "guard", "plan", "engine", "shell", "record", "hmc",
          "transport", "serve", "run"]
PURE = {"base", "term", "screens", "guard", "plan", "engine", "shell", "record", "hmc"}
# What a pure layer may not include or call: the event loop, the network, the clock, sleeping.
IMPURE_INCLUDES = re.compile(r"^(boost/|libssh/|chrono$|thread$|future$|unistd\.h$|sys/socket\.h$|"
                             r"poll\.h$|sys/epoll\.h$|pty\.h$|termios\.h$)")
IMPURE_CALLS = re.compile(r"\b(steady_clock|system_clock|high_resolution_clock|sleep_for|sleep_until|"
                          r"usleep|nanosleep|sleep\(|std::thread|clock_gettime|gettimeofday|time\(nullptr\)|"
                          r"time\(NULL\)|time\(0\))")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def layer_of(path, root):
    rel = path.relative_to(root).parts
    if rel[:2] == ("src", "lib") and len(rel) > 3:
        return rel[2]
    if rel[:2] == ("include", "vtpilot") and len(rel) > 3:
        return rel[2]
    return None


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check(root):
    root = pathlib.Path(root)
    breaches = []
    files = []
    for top in (root / "src" / "lib", root / "include" / "vtpilot"):
        for p in sorted(top.rglob("*")):
            if p.suffix not in (".cpp", ".hpp", ".h"):
                continue
            files.append(p)
            rel = p.relative_to(root)
            if len(rel.parts) == 3:
                breaches.append(f"{rel}: not in a layer folder (src/lib/<layer>/, include/vtpilot/<layer>/)")
    for p in files:
        layer = layer_of(p, root)
        if layer is None:
            continue
        rel = p.relative_to(root)
        if layer not in LAYERS:
            breaches.append(f"{rel}: folder '{layer}' is not a layer (add it to LAYERS in tests/layering.py "
                            "and to CODE-MAP)")
            continue
        rank = LAYERS.index(layer)
        text = p.read_text(errors="replace")
        for m in INCLUDE.finditer(text):
            kind, name = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            target = None
            if name.startswith("vtpilot/"):
                parts = name.split("/")
                target = parts[1] if len(parts) > 2 else "(top)"
            elif kind == '"' and "/" in name and name.split("/")[0] in LAYERS:
                target = name.split("/")[0]
            if target is not None:
                if target not in LAYERS:
                    breaches.append(f"{rel}:{line}: includes {name}, which is in no layer")
                elif LAYERS.index(target) > rank:
                    breaches.append(f"{rel}:{line}: {layer} includes {name} of the higher layer {target}")
            if layer in PURE and kind == "<" and IMPURE_INCLUDES.match(name):
                breaches.append(f"{rel}:{line}: the pure layer {layer} includes <{name}>")
        if layer in PURE:
            code = strip_comments(text)
            for m in IMPURE_CALLS.finditer(code):
                line = code.count("\n", 0, m.start()) + 1
                breaches.append(f"{rel}: the pure layer {layer} uses {m.group(1)} (near line {line})")
    return breaches


def self_test():
    planted = {
        "src/lib/guard/up.cpp": '#include "vtpilot/run/runner.hpp"\n',
        "src/lib/screens/asio.cpp": "#include <boost/asio.hpp>\n",
        "src/lib/engine/clock.cpp": "auto t = std::chrono::steady_clock::now();\n",
        "src/lib/term/nap.cpp": "void f() { usleep(10); }\n",
        "src/lib/base/private_up.cpp": '#include "transport/ssh_dl.hpp"\n',
        "src/lib/newroom/x.cpp": "int x;\n",
        "src/lib/loose.cpp": "int y;\n",
        "include/vtpilot/plan/up.hpp": '#include "vtpilot/engine/session.hpp"\n',
    }
    fine = {
        "src/lib/run/ok.cpp": '#include <boost/asio.hpp>\n#include "vtpilot/base/regex.hpp"\n',
        "src/lib/engine/ok.cpp": '// steady_clock is named in a comment only\n#include "vtpilot/guard/guard.hpp"\n',
    }
    with tempfile.TemporaryDirectory() as d:
        for rel, text in {**planted, **fine}.items():
            p = pathlib.Path(d) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        found = check(d)
    missed = [rel for rel in planted if not any(b.startswith(rel) for b in found)]
    wrong = [b for b in found if any(b.startswith(rel) for rel in fine)]
    for rel in missed:
        print(f"self-test: the breach planted in {rel} was not found")
    for b in wrong:
        print(f"self-test: a clean file was reported: {b}")
    return 1 if missed or wrong else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__.strip())
        return 2
    breaches = check(argv[1])
    for b in breaches:
        print(b)
    if breaches:
        print(f"{len(breaches)} layering breach(es); the layers are in CODE-MAP and tests/layering.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
