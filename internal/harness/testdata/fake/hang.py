"""Two threads take two locks in opposite orders: a real deadlock."""
import threading
import time

a, b = threading.Lock(), threading.Lock()
ready = threading.Barrier(2)


def take_ab():
    with a:
        ready.wait()
        with b:
            pass


def take_ba():
    with b:
        ready.wait()
        with a:
            pass


print("starting", flush=True)
threads = [threading.Thread(target=take_ab), threading.Thread(target=take_ba)]
for t in threads:
    t.start()
for t in threads:
    t.join()
