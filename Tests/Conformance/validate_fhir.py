"""Validates FHIR JSON with an implementation that is not ours: fhir.resources (R4B models).

Usage: validate_fhir.py PATH [PATH ...]  -- files, or folders searched for *.json holding a resourceType.
Every resource (and every Bundle entry) must parse; exit status 1 on any error.
"""
import json
import pathlib
import sys

from fhir.resources.R4B import get_fhir_model_class


def resources(paths):
    for path in map(pathlib.Path, paths):
        files = [path] if path.is_file() else sorted(path.rglob("*.json"))
        for file in files:
            try:
                data = json.loads(file.read_text())
            except ValueError:
                continue
            if isinstance(data, dict) and "resourceType" in data:
                yield file, data


def main(paths):
    checked, errors = 0, []
    for file, data in resources(paths):
        try:
            get_fhir_model_class(data["resourceType"]).model_validate(data)
            checked += 1
        except Exception as error:  # the validator's message says what is wrong
            errors.append(f"{file}: {data['resourceType']}: {error}")
    for error in errors:
        print("INVALID", error)
    print(f"fhir.resources (R4B): {checked} resources valid, {len(errors)} invalid")
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
