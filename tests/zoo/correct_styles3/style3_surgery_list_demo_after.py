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

# the lesson's surgery
seq_model.pop()
seq_model.add(layers.Dense(10, activation="softmax"))
print(len(seq_model.layers))   # 3

# "Sequential behaves like a Python list": append something and take it off again
seq_model.add(layers.Dropout(0.5))
print(len(seq_model.layers))   # 4
seq_model.pop()
print(len(seq_model.layers))   # 3 again
assert [type(l).__name__ for l in seq_model.layers] == ["Dense", "Dense", "Dense"]
assert seq_model.count_params() == 218_058
