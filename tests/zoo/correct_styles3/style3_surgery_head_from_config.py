# Surgery: replace the softmax head by a *fresh* layer with the same configuration.
import numpy as np
import keras
from keras import layers

seq_model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ],
    name="mlp_sequential",
)
old_kernel = seq_model.layers[-1].kernel.numpy().copy()

# pop() the head and rebuild an identical-but-new Dense from its config
new_head = layers.Dense.from_config(seq_model.pop().get_config())
seq_model.add(new_head)
print(len(seq_model.layers))   # 3

new_kernel = seq_model.layers[-1].kernel.numpy()
assert len(seq_model.layers) == 3
assert seq_model.count_params() == 218_058
assert not np.allclose(old_kernel, new_kernel), "head should be freshly initialised"
print("fresh head:", seq_model.layers[-1].name, seq_model.layers[-1].get_config()["activation"])
