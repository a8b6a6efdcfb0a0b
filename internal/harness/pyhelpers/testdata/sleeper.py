# Sleeps in sleepy_function, with a second thread waiting, until the file
# named by argv[1] exists; then exits with status 3.
import os
import sys
import threading
import time


def sleepy_function(go_on):
    # "ready" only once the worker is inside waiting_worker, so that a stack
    # dump taken right after it always shows that frame.
    started.wait(30)
    print("ready %d" % os.getpid(), flush=True)
    deadline = time.time() + 30
    while not os.path.exists(go_on) and time.time() < deadline:
        time.sleep(0.02)


def waiting_worker(stop):
    started.set()
    stop.wait(60)


started = threading.Event()
stop = threading.Event()
threading.Thread(target=waiting_worker, args=(stop,), daemon=True).start()
sleepy_function(sys.argv[1])
stop.set()
sys.exit(3)
