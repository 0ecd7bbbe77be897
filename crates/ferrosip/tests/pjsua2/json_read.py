"""PJSUA2 reads a document ferrosip wrote.

Usage: json_read.py IN_FILE OUT_DIR CLASS [CLASS ...]

Loads IN_FILE with PJSUA2's JsonDocument.loadFile and reads one object of
each CLASS (e.g. EpConfig, AccountConfig) with readObject, in order, as
PJSUA2 reads: sequentially. Writes to OUT_DIR:
- read.json: [[class, fields], ...] of the objects read, as dump() sees them;
- resaved.json: the objects written back by PJSUA2 (writeObject, saveString);
or, if PJSUA2 raises, error.json ({title, reason, status}) and exits with 2.
"""

import os
import sys

import pjsua2 as pj

from json_common import dump, finish, start, write_json, write_text


def main():
    in_file, out_dir, classes = sys.argv[1], sys.argv[2], sys.argv[3:]
    ep = start()
    doc = pj.JsonDocument()
    objects = []
    try:
        doc.loadFile(in_file)
        for name in classes:
            obj = getattr(pj, name)()
            doc.readObject(obj)
            objects.append(obj)
    except pj.Error as e:
        write_json(os.path.join(out_dir, "error.json"),
                   {"title": e.title, "reason": e.reason, "status": e.status,
                    "objects_read": len(objects)})
        del doc
        finish(2)
    del doc
    write_json(os.path.join(out_dir, "read.json"),
               [[name, dump(obj)] for name, obj in zip(classes, objects)])
    out = pj.JsonDocument()
    for obj in objects:
        out.writeObject(obj)
    write_text(os.path.join(out_dir, "resaved.json"), out.saveString())
    del out
    del ep
    finish(0)


if __name__ == "__main__":
    main()
