"""`gpt-oss-harmony render` as the map stage of a Spark job.

    python render_with_spark.py INPUT.jsonl OUTPUT_DIR [--master local[4]] [--partitions N]
        [--command "gpt-oss-harmony render -q -j 1"]

Spark splits the JSONL into partitions (`textFile`), pipes each partition through one run of the
command (`RDD.pipe`: one process per task, lines on its stdin, records from its stdout), and
writes the records with `saveAsTextFile`. A partition is a contiguous range of lines and the parts
are numbered in partition order, so `cat OUTPUT_DIR/part-*` is the single-machine output, line
for line. Each task's error records go to that executor's stderr (its log); with
`--fail-on-error`, a failing line fails its task (the command's exit status 1), as `--strict` would.
"""

import argparse

from pyspark.sql import SparkSession


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--master", default="local[*]")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--command", default="gpt-oss-harmony render -q -j 1")
    parser.add_argument("--fail-on-error", action="store_true")
    args = parser.parse_args()

    spark = SparkSession.builder.master(args.master).appName("gpt-oss-harmony render").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    lines = spark.sparkContext.textFile(args.input, minPartitions=args.partitions)
    records = lines.pipe(args.command, checkCode=args.fail_on_error)
    records.saveAsTextFile(args.output)
    spark.stop()


if __name__ == "__main__":
    main()
