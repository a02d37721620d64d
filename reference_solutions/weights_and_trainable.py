"""Reference solution: the lesson's fn_model and its "Under the hood: weights" section."""
import keras
from keras import layers

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

print(len(fn_model.weights))                # 6  — all variables (3 kernels + 3 biases)
print(len(fn_model.trainable_weights))      # 6  — what the optimizer updates
print(len(fn_model.non_trainable_weights))  # 0  — e.g. BatchNorm moving stats live here

fn_model.layers[1].trainable = False        # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
fn_model.layers[1].trainable = True         # unfreeze — back to 6
assert len(fn_model.trainable_weights) == 6
