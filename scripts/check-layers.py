#!/usr/bin/env python3
"""Fails when a source includes a header of a library it may not use.

The libraries, their folders and the libraries each may use are read from CMakeLists.txt
(sag_library(name dir) and target_link_libraries(name ...)); the test binaries and what each
links from tests/CMakeLists.txt (sag_test_folder(dir libs...)). A file of src/<dir> may include
the headers of its own library and of the libraries it links, directly or through them; a test
may include its own tests/ helpers and the headers of the libraries its binary links. Run from
anywhere; ctest runs it as the test `layers`."""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def parse_libraries():
    text = read("CMakeLists.txt")
    folder_of = dict(re.findall(r"^sag_library\((\w+) ([\w/]+)\)", text, re.M))
    uses = {name: set() for name in folder_of}
    for name, args in re.findall(r"target_link_libraries\((\w+)\s+([^)]*)\)", text):
        if name in uses:
            uses[name] |= {a for a in args.split() if a in folder_of}
    return folder_of, uses


def closure(libs, uses):
    seen, todo = set(), list(libs)
    while todo:
        lib = todo.pop()
        if lib not in seen:
            seen.add(lib)
            todo.extend(uses.get(lib, ()))
    return seen


def owner(path, library_of_folder):
    """The library of a header path under src/, or None."""
    return library_of_folder.get(os.path.dirname(path))


def check_file(rel, allowed, library_of_folder, test_root):
    errors = []
    for inc in INCLUDE.findall(read(rel)):
        if test_root and os.path.exists(os.path.join(ROOT, "tests", inc)):
            continue  # a helper of the tests
        if not os.path.exists(os.path.join(ROOT, "src", inc)):
            continue  # generated, or a system header in quotes
        lib = owner(inc, library_of_folder)
        if lib is None:
            errors.append(f"{rel}: includes {inc}, which no library owns")
        elif lib not in allowed:
            errors.append(f"{rel}: includes {inc} ({lib}), not among the libraries it may use")
    return errors


def main():
    folder_of, uses = parse_libraries()
    library_of_folder = {folder: name for name, folder in folder_of.items()}
    errors = []
    for name, folder in sorted(folder_of.items()):
        allowed = closure([name], uses)
        base = os.path.join(ROOT, "src", folder)
        if not os.path.isdir(base):
            continue
        for f in sorted(os.listdir(base)):
            if f.endswith((".h", ".cc")):
                errors += check_file(os.path.join("src", folder, f), allowed, library_of_folder,
                                     False)
    tests = read("tests/CMakeLists.txt")
    for folder, libs in re.findall(r"^sag_test_folder\(([\w/]+)((?: [\w:]+)*)\)", tests, re.M):
        allowed = closure([l for l in libs.split() if l in folder_of], uses)
        base = os.path.join(ROOT, "tests", folder)
        if not os.path.isdir(base):
            continue
        for f in sorted(os.listdir(base)):
            if f.endswith((".h", ".cc")):
                errors += check_file(os.path.join("tests", folder, f), allowed, library_of_folder,
                                     True)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} include(s) cross the layers declared in CMakeLists.txt")
        return 1
    print("layers: every include is of a library its target may use")
    return 0


if __name__ == "__main__":
    sys.exit(main())
