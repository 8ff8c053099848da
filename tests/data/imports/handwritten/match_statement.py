match = {"kind": "csv"}
case = 1


def handler(event, context):
    match event.get("kind"):
        case "csv":
            import csv
            return csv
        case "xml":
            from xml.dom import minidom
            return minidom
        case _:
            return None
