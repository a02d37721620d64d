import keras
from keras import layers


def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )


seq_model = make_sequential()
seq_model.summary()

# Sequential also behaves like a Python list, which is occasionally handy for surgery:
seq_model.pop()                                        # remove the softmax head
seq_model.add(layers.Dense(10, activation="softmax"))  # put a fresh one back
print(len(seq_model.layers))                           # 3

# 784×256 + 256 = 200,960;  256×64 + 64 = 16,448;  64×10 + 10 = 650;  total 218,058
assert len(seq_model.layers) == 3
assert seq_model.count_params() == 218_058, seq_model.count_params()
assert seq_model.output_shape == (None, 10)
