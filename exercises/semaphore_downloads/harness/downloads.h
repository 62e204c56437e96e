/* downloads.h: what the harness (main.c) and your downloads.c share. Do not change this file. */
#ifndef DOWNLOADS_H
#define DOWNLOADS_H

/* Provided by the harness: downloads file number n. It takes a little while (it waits, as for the
 * network), and the server allows at most `limit` downloads at the same time. */
void fetch(int n);

/* Yours. The harness calls downloads_init(limit) once, then download(n) from one thread per file, all
 * at the same time, then downloads_finish(). download(n) must call fetch(n) exactly once, and never let
 * more than `limit` fetches run at once, while letting `limit` of them run at once. */
void downloads_init(int limit);
void download(int n);
void downloads_finish(void);

#endif
