"""The run lifecycle: submit (validate, reserve, store, enqueue) and execute (claim, run the
batches, analyse, finish), with the queue, events and recovery around it."""
