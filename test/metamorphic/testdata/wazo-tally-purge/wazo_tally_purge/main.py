# SPDX-License-Identifier: GPL-3.0-or-later

import argparse

import psycopg2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--days', type=int, default=90)
    args = parser.parse_args()
    with psycopg2.connect('postgresql://asterisk@localhost/asterisk') as conn:
        with conn.cursor() as cur:
            cur.execute(
                "DELETE FROM tally WHERE created < now() - make_interval(days => %s)",
                (args.days,),
            )
